import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../contract/rng/rng.js';
import { setupTestBackend } from '../../../testing/test-backend.js';
import { createBatchNorm } from './batch-norm.js';
import { ParamStore } from './param-store.js';

before(setupTestBackend);

const data = (t: tf.Tensor): number[] => Array.from(t.dataSync());

function channelStats(values: number[], c: number): { mean: number[]; biased: number[]; unbiased: number[] } {
  const n = values.length / c;
  const mean = Array.from({ length: c }, (_, k) => values.filter((_, i) => i % c === k).reduce((a, b) => a + b, 0) / n);
  const ss = Array.from({ length: c }, (_, k) => values.filter((_, i) => i % c === k).reduce((a, b) => a + (b - mean[k]!) ** 2, 0));
  return { mean, biased: ss.map((s) => s / n), unbiased: ss.map((s) => s / (n - 1)) };
}

test('training normalises with batch statistics and updates running stats like PyTorch (momentum 0.1, unbiased var)', () => {
  const store = ParamStore.create('bn.', Rng.fromSeed(1));
  const bn = createBatchNorm(store, 'bn1', 3);
  const values = Array.from(Rng.fromSeed(2).fillNormal(new Float32Array(2 * 2 * 3 * 3), 1.5, 2));
  const x = tf.tensor4d(values, [2, 2, 3, 3]);
  const { mean, biased, unbiased } = channelStats(values, 3);
  const y = bn.apply(x, true);
  data(y).forEach((v, i) => {
    const k = i % 3;
    assert.ok(Math.abs(v - (values[i]! - mean[k]!) / Math.sqrt(biased[k]! + 1e-5)) < 1e-4);
  });
  data(bn.runningMean).forEach((v, k) => assert.ok(Math.abs(v - 0.1 * mean[k]!) < 1e-5));
  data(bn.runningVar).forEach((v, k) => assert.ok(Math.abs(v - (0.9 + 0.1 * unbiased[k]!)) < 1e-5));
  // Inference uses the running statistics and leaves them alone.
  const rm = data(bn.runningMean);
  const rv = data(bn.runningVar);
  bn.weight.assign(tf.tensor1d([2, 1, 0.5]));
  bn.bias.assign(tf.tensor1d([0, 1, -1]));
  const z = bn.apply(x, false);
  const g = [2, 1, 0.5];
  const b = [0, 1, -1];
  data(z).forEach((v, i) => {
    const k = i % 3;
    assert.ok(Math.abs(v - ((values[i]! - rm[k]!) / Math.sqrt(rv[k]! + 1e-5)) * g[k]! - b[k]!) < 1e-4);
  });
  assert.deepEqual(data(bn.runningMean), rm);
  assert.deepEqual(store.variables().map((v) => [v.name, v.trainable]), [
    ['bn.bn1.weight', true],
    ['bn.bn1.bias', true],
    ['bn.bn1.running_mean', false],
    ['bn.bn1.running_var', false],
  ]);
  tf.dispose([x, y, z]);
  store.dispose();
});

test('5-D input (clips) and 2-D input (vectors) normalise per channel, with gradients', () => {
  const store = ParamStore.create('', Rng.fromSeed(1));
  const bn5 = createBatchNorm(store, 'a', 4);
  const bn4 = createBatchNorm(store, 'b', 4);
  const x5 = tf.tensor(Rng.fromSeed(3).fillNormal(new Float32Array(2 * 3 * 2 * 2 * 4)), [2, 3, 2, 2, 4]);
  const x4 = tf.reshape(x5, [2, 6, 2, 4]);
  const f = (bn: typeof bn5) => (x: tf.Tensor) => tf.sum(tf.square(tf.mul(bn.apply(x, true), tf.reshape(tf.range(1, x.size + 1), x.shape))));
  const g5 = tf.grad(f(bn5))(x5);
  const g4 = tf.grad(f(bn4))(x4);
  assert.deepEqual(g5.shape, [2, 3, 2, 2, 4]);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(tf.reshape(g5, [2, 6, 2, 4]), g4))).dataSync()[0]!) < 1e-4);
  const v = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 9], [2, 4]);
  const y = bn5.apply(v, true);
  assert.deepEqual(y.shape, [2, 4]);
  data(y).forEach((e) => assert.ok(Math.abs(Math.abs(e) - 1) < 1e-3));
  tf.dispose([x5, x4, g5, g4, v, y]);
  store.dispose();
});

test('initialisers: dense U(±1/√in), conv N(0, 2/fan_out), same seed same values', async () => {
  const { createDense } = await import('./dense.js');
  const { createConv2d } = await import('./conv2d.js');
  const store = ParamStore.create('', Rng.fromSeed(4));
  const d = createDense(store, 'fc', 64, 500);
  const w = data(d.weight);
  assert.ok(w.every((e) => Math.abs(e) <= 1 / 8));
  assert.ok(Math.max(...w) > 0.12 && Math.min(...w) < -0.12);
  const c = createConv2d(store, 'conv', { inChannels: 8, outChannels: 64, kernel: 3 });
  const cw = data(c.weight);
  const std = Math.sqrt(cw.reduce((a, e) => a + e * e, 0) / cw.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / (64 * 9))) < 0.005);
  assert.equal(c.bias, null);
  const again = createDense(ParamStore.create('', Rng.fromSeed(4)), 'fc', 64, 500);
  assert.deepEqual(data(again.weight), w);
  again.weight.dispose();
  again.bias?.dispose();
  store.dispose();
});
