import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../contract/rng/rng.js';
import { setupTestBackend } from '../../../testing/test-backend.js';
import { conv3d, maxPool3d } from './conv3d.js';

before(setupTestBackend);

function randn(shape: number[], seed: number): tf.Tensor {
  const r = Rng.fromSeed(seed, 'test');
  return tf.tensor(r.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const cases: { x: number[]; f: number[]; s: [number, number, number]; pad: 'same' | 'valid' }[] = [
  { x: [2, 5, 6, 6, 3], f: [3, 3, 3, 3, 4], s: [1, 1, 1], pad: 'same' },
  { x: [2, 5, 6, 6, 3], f: [3, 3, 3, 3, 4], s: [1, 1, 1], pad: 'valid' },
  { x: [1, 7, 9, 8, 2], f: [3, 3, 3, 2, 5], s: [2, 2, 2], pad: 'same' },
  { x: [1, 7, 9, 8, 2], f: [2, 3, 1, 2, 3], s: [2, 1, 2], pad: 'valid' },
  { x: [2, 6, 7, 7, 3], f: [7, 7, 7, 3, 4], s: [2, 2, 2], pad: 'same' },
  { x: [1, 4, 5, 5, 3], f: [1, 1, 1, 3, 2], s: [1, 1, 1], pad: 'same' },
];

for (const c of cases) {
  test(`composed conv3d matches tf.conv3d forward and gradients (x ${c.x}, f ${c.f}, s ${c.s}, ${c.pad})`, () => {
    const x = randn(c.x, 1) as tf.Tensor5D;
    const f = randn(c.f, 2) as tf.Tensor5D;
    const want = tf.conv3d(x, f, c.s, c.pad);
    const got = conv3d(x, f, c.s, c.pad);
    assert.deepEqual(got.shape, want.shape);
    assert.ok(maxAbsDiff(got, want) < 1e-4);
    const dy = randn(want.shape, 3);
    const gWant = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.s, c.pad), dy)))([x, f]);
    const gGot = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.s, c.pad), dy)))([x, f]);
    assert.ok(maxAbsDiff(gGot[0]!, gWant[0]!) < 1e-4, 'input gradient');
    assert.ok(maxAbsDiff(gGot[1]!, gWant[1]!) < 1e-3, 'filter gradient');
    tf.dispose([x, f, want, got, dy, ...gWant, ...gGot]);
  });
}

test('composed conv3d leaks no tensors', () => {
  const x = randn([1, 4, 4, 4, 2], 1) as tf.Tensor5D;
  const f = randn([3, 3, 3, 2, 2], 2) as tf.Tensor5D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) conv3d(x, f, 1, 'same').dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, f]);
});

const poolCases: { x: number[]; k: [number, number, number]; s: [number, number, number]; pad: 'same' | 'valid' }[] = [
  { x: [2, 6, 8, 8, 3], k: [2, 2, 2], s: [2, 2, 2], pad: 'valid' },
  { x: [1, 5, 7, 7, 2], k: [3, 3, 3], s: [2, 2, 2], pad: 'same' },
  { x: [1, 4, 7, 7, 2], k: [1, 3, 3], s: [1, 2, 2], pad: 'same' },
  { x: [1, 5, 5, 5, 2], k: [3, 3, 3], s: [1, 1, 1], pad: 'same' },
];

for (const c of poolCases) {
  test(`composed maxPool3d matches tf.maxPool3d forward and gradient (x ${c.x}, k ${c.k}, s ${c.s}, ${c.pad})`, () => {
    // All-negative inputs check that padded cells never win.
    const x = tf.sub(randn(c.x, 5), 10) as tf.Tensor5D;
    const want = tf.maxPool3d(x, c.k, c.s, c.pad);
    const got = maxPool3d(x, c.k, c.s, c.pad);
    assert.deepEqual(got.shape, want.shape);
    assert.ok(maxAbsDiff(got, want) < 1e-6);
    const dy = randn(want.shape, 6);
    const gWant = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(a as tf.Tensor5D, c.k, c.s, c.pad), dy)))(x);
    const gGot = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool3d(a as tf.Tensor5D, c.k, c.s, c.pad), dy)))(x);
    assert.ok(maxAbsDiff(gGot, gWant) < 1e-5);
    tf.dispose([x, want, got, dy, gWant, gGot]);
  });
}

test('conv3d and maxPool3d move data through rank ≤ 4 kernels only, forward and backward (wasm does rank-5 slices in JavaScript)', async () => {
  const x = randn([1, 6, 5, 5, 2], 3) as tf.Tensor5D;
  const f = randn([3, 3, 3, 2, 3], 4) as tf.Tensor5D;
  const info = await tf.profile(() => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(maxPool3d(conv3d(a as tf.Tensor5D, b as tf.Tensor5D, [2, 1, 1], 'same'), [3, 2, 2], [2, 2, 2], 'same')));
    return g([x, f]);
  });
  const rank5 = info.kernels.filter((k) => ['Slice', 'PadV2', 'Concat', 'StridedSlice', 'Pack', 'Unpack'].includes(k.name) && k.inputShapes.some((s) => s !== undefined && s.length >= 5));
  assert.deepEqual(rank5.map((k) => `${k.name} ${JSON.stringify(k.inputShapes)}`), []);
  tf.dispose([x, f]);
});
