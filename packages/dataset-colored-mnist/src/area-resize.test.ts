import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AreaResizer } from './area-resize.js';
import { Rng } from '@ungreedy/core';

const rng = Rng.fromSeed(3, 'test');
const img = Uint8Array.from({ length: 28 * 28 }, () => rng.int(256));

test('the source size is an exact copy divided by 255', () => {
  const out = new Float32Array(28 * 28);
  new AreaResizer(28, 28, 28).resize(img, 0, out, 0);
  assert.deepEqual(out, Float32Array.from(img, (v) => v / 255));
});

test('28 to 14 averages whole 2x2 blocks', () => {
  const out = new Float32Array(14 * 14);
  new AreaResizer(28, 28, 14).resize(img, 0, out, 0);
  for (const [i, j] of [[0, 0], [5, 9], [13, 13]] as const) {
    const mean = (img[2 * i * 28 + 2 * j]! + img[2 * i * 28 + 2 * j + 1]! + img[(2 * i + 1) * 28 + 2 * j]! + img[(2 * i + 1) * 28 + 2 * j + 1]!) / 4 / 255;
    assert.ok(Math.abs(out[i * 14 + j]! - mean) < 1e-6, `pixel ${i},${j}`);
  }
});

test('28 to 16 weights partial pixels by overlap and keeps the mean intensity', () => {
  const out = new Float32Array(16 * 16);
  new AreaResizer(28, 28, 16).resize(img, 0, out, 0);
  // Output pixel 0 covers source [0, 1.75) on each axis: weights 1 and 0.75, normalised by 1.75.
  const w = [1 / 1.75, 0.75 / 1.75];
  let expected = 0;
  for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) expected += w[r]! * w[c]! * img[r * 28 + c]!;
  assert.ok(Math.abs(out[0]! - expected / 255) < 1e-6);
  const meanIn = img.reduce((a, b) => a + b, 0) / img.length / 255;
  const meanOut = out.reduce((a, b) => a + b, 0) / out.length;
  assert.ok(Math.abs(meanIn - meanOut) < 1e-5, `${meanIn} vs ${meanOut}`);
});

test('a constant image stays constant at any size, and offsets address the right image', () => {
  const two = new Uint8Array(2 * 784);
  two.fill(51, 784);
  const out = new Float32Array(3 * 10 * 10).fill(-1);
  new AreaResizer(28, 28, 10).resize(two, 784, out, 100);
  for (let q = 0; q < 100; q++) assert.ok(Math.abs(out[100 + q]! - 0.2) < 1e-6);
  assert.equal(out[0], -1);
  assert.equal(out[200], -1);
});
