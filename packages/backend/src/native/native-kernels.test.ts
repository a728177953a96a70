import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../kernels/gradient-check.js';
import { registerNativeKernels, unregisterNativeKernels } from '../kernels/index.js';
import { sumOfSquares } from '../kernels/sum-of-squares.js';
import { nativeStatus } from './native-addon.js';

// The convolution and max-pool kernels are checked against the cpu oracle by the gradient-check suite
// (kernels/gradient-check.test.ts), the fused optimizer steps against core's optimizer by
// packages/core/src/engine/trainer/optimizer-native.test.ts; here: the learning-speed probe and the addon's own
// argument checks.
const status = nativeStatus();
const skip = status.ok ? false : `native kernels not loaded: ${status.reason}`;

test('sumOfSquares (the learning-speed probe) agrees with tf.sum(tf.square(x)) to float32 rounding', { skip }, async () => {
  await useBackend('wasm');
  const x = tf.randomNormal([1000, 37], 0, 3, 'float32', 5);
  const native = (await sumOfSquares(x).data())[0]!;
  unregisterNativeKernels();
  try {
    const ops = (await sumOfSquares(x).data())[0]!;
    assert.ok(Math.abs(native - ops) / ops < 1e-5, `${native} vs ${ops}`);
  } finally {
    registerNativeKernels();
    x.dispose();
  }
});

describe('the addon refuses arrays that do not match the sizes it is given', { skip }, () => {
  test('every entry point throws instead of writing out of bounds', () => {
    assert.ok(status.ok);
    const { addon } = status;
    const f = (n: number) => new Float32Array(n);
    // x [1, 4, 4, 2], filter [3, 3, 2, 3], y [1, 4, 4, 3], 'same'.
    const dims = Float64Array.from([1, 4, 4, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1]);
    addon.conv2d(0, f(32), f(54), f(48), dims);
    assert.throws(() => addon.conv2d(0, f(32), f(54), f(47), dims), RangeError);
    assert.throws(() => addon.conv2d(2, f(32), f(48), f(53), dims), RangeError);
    assert.throws(() => addon.conv2d(0, f(32), f(54), f(48), dims.subarray(0, 16)), RangeError);
    const g = Int32Array.from([1, 2, 1, 4, 4, 1, 2, 2, 1, 2, 2, 1, 2, 2, 0, 0, 0]);
    addon.maxPoolGrad(f(8), f(32), f(32), g, true);
    assert.throws(() => addon.maxPoolGrad(f(8), f(32), f(31), g, true), RangeError);
    assert.throws(() => addon.adamStep(f(4), f(4), f(4), f(3), f(4), f(4), f(4), f(8)), RangeError);
    assert.throws(() => addon.sgdStep(f(4), f(4), f(0), f(4), f(0), f(3)), RangeError);
    assert.throws(() => addon.conv2d(0, f(32), f(54), new Float64Array(48) as unknown as Float32Array, dims), TypeError);
    assert.throws(() => addon.sumOfSquares(new Float64Array(3) as unknown as Float32Array), TypeError);
    assert.throws(() => addon.batchNorm(f(10), f(3), f(3), f(10), f(3), f(3), f(3), 1e-5), RangeError);
  });
});
