import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setupTestBackend } from '../../testing/test-backend.js';
import { crossEntropy, fuseLogits, sumOfHeadLosses } from './loss.js';
import { argmaxRows } from './accuracy.js';

before(setupTestBackend);

function ceByHand(logits: number[][], labels: number[]): number {
  let total = 0;
  logits.forEach((row, i) => {
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    total += lse - row[labels[i]!]!;
  });
  return total / logits.length;
}

test('spec 9.10: loss = CE(x0) + CE(x1), each a batch mean, on hand logits', () => {
  const x0 = [
    [2, 0, -1],
    [0.5, 0.5, 3],
  ];
  const x1 = [
    [-1, 4, 0],
    [1, 0, 0],
  ];
  const y = [0, 2];
  const loss = tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), 3), 'float32') as tf.Tensor2D;
    return sumOfHeadLosses([tf.tensor2d(x0), tf.tensor2d(x1)], oneHot).dataSync()[0]!;
  });
  assert.ok(Math.abs(loss - (ceByHand(x0, y) + ceByHand(x1, y))) < 1e-5);
  const single = tf.tidy(() => crossEntropy(tf.tensor2d(x0), tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), 3), 'float32') as tf.Tensor2D).dataSync()[0]!);
  assert.ok(Math.abs(single - ceByHand(x0, y)) < 1e-6);
});

test('spec 9.10: the fused prediction is the argmax of the mean logits and can differ from both heads', () => {
  // Head 0 prefers class 0, head 1 prefers class 1, but both give class 2 a solid second place.
  const x0 = [[5, -5, 4]];
  const x1 = [[-5, 5, 4]];
  const fused = tf.tidy(() => Array.from(fuseLogits([tf.tensor2d(x0), tf.tensor2d(x1)]).dataSync()));
  assert.deepEqual(fused, [0, 0, 4]);
  assert.deepEqual([...argmaxRows(x0[0]!, 1, 3)], [0]);
  assert.deepEqual([...argmaxRows(x1[0]!, 1, 3)], [1]);
  assert.deepEqual([...argmaxRows(fused, 1, 3)], [2]);
});
