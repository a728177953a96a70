import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderViews } from './render-mesh.js';
import type { TriMesh } from './off-mesh.js';

/** An L-shaped block (two boxes) standing on z = 0: not symmetric under a half turn about z. */
function lBlock(): TriMesh {
  const boxes = [
    [0, 0, 0, 2, 1, 1],
    [0, 0, 1, 1, 1, 2],
  ] as const;
  const pos: number[] = [];
  const tri: number[] = [];
  for (const [x0, y0, z0, x1, y1, z1] of boxes) {
    const b = pos.length / 3;
    for (const z of [z0, z1]) for (const y of [y0, y1]) for (const x of [x0, x1]) pos.push(x, y, z);
    for (const q of [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]]) {
      tri.push(b + q[0]!, b + q[1]!, b + q[2]!, b + q[0]!, b + q[2]!, b + q[3]!);
    }
  }
  return { positions: Float32Array.from(pos), triangles: Uint32Array.from(tri) };
}

const grey = (img: Uint8Array, x: number, y: number, size: number) => img[(y * size + x) * 3]!;

test('renders 12 grey-on-black views by default, the object inside the frame', () => {
  const size = 24;
  const views = renderViews(lBlock(), { size });
  assert.equal(views.length, 12);
  for (const img of views) {
    assert.equal(img.length, size * size * 3);
    for (let i = 0; i < img.length; i += 3) assert.ok(img[i] === img[i + 1] && img[i] === img[i + 2], 'grey pixels');
    // Borders stay background: the unit sphere fits inside the frame with a margin.
    for (let k = 0; k < size; k++) {
      assert.equal(grey(img, k, 0, size), 0);
      assert.equal(grey(img, k, size - 1, size), 0);
      assert.equal(grey(img, 0, k, size), 0);
      assert.equal(grey(img, size - 1, k, size), 0);
    }
    assert.ok(grey(img, size / 2, size / 2, size) > 20, 'the centre shows the object');
  }
});

test('views 1 and 7 are half a turn apart: different for an asymmetric object, deterministic', () => {
  const [front, rear] = renderViews(lBlock(), { size: 24, views: [0, 6] });
  assert.notDeepEqual(front, rear);
  assert.deepEqual(renderViews(lBlock(), { size: 24, views: [0, 6] }), [front, rear]);
  // A half turn of the mesh about the up axis swaps the two views.
  const turned = lBlock();
  const p = turned.positions;
  for (let i = 0; i < p.length; i += 3) {
    p[i] = 2 - p[i]!;
    p[i + 1] = 1 - p[i + 1]!;
  }
  const [tFront, tRear] = renderViews(turned, { size: 24, views: [0, 6] });
  assert.deepEqual(tFront, rear);
  assert.deepEqual(tRear, front);
});

test('scale and position do not matter: the object is centred and scaled to fit', () => {
  const base = lBlock();
  const moved = lBlock();
  for (let i = 0; i < moved.positions.length; i++) moved.positions[i] = moved.positions[i]! * 37 + (i % 3 === 2 ? -5 : 11);
  const a = renderViews(base, { size: 16, views: [2] })[0]!;
  const b = renderViews(moved, { size: 16, views: [2] })[0]!;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  assert.ok(maxDiff <= 2, `max pixel difference ${maxDiff}`);
});

test('upAxis y renders a y-up mesh like the same mesh z-up', () => {
  const z = lBlock();
  const y = lBlock();
  for (let i = 0; i < y.positions.length; i += 3) {
    // z-up (x, y, z) -> y-up (x, z, -y)
    const yy = z.positions[i + 1]!, zz = z.positions[i + 2]!;
    y.positions[i + 1] = zz;
    y.positions[i + 2] = -yy;
  }
  assert.deepEqual(renderViews(y, { size: 16, views: [1], upAxis: 'y' }), renderViews(z, { size: 16, views: [1] }));
});

test('a mesh with no faces renders as background, black by default or as chosen', () => {
  // parseOff refuses such a file (off-no-faces); the renderer still handles the mesh.
  const point = { positions: new Float32Array([0, 0, 0]), triangles: new Uint32Array(0) };
  assert.ok(renderViews(point, { size: 8, views: [0] })[0]!.every((v) => v === 0));
  assert.ok(renderViews(point, { size: 8, views: [0], background: 1 })[0]!.every((v) => v === 255));
});
