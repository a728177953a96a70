import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../config/experiment-config.js';
import { createOptimizer } from '../../trainer/optimizer.js';
import { useBackend } from '../kernels/gradient-check.js';
import { registerNativeKernels, unregisterNativeKernels } from '../kernels/index.js';
import { sumOfSquares } from '../kernels/sum-of-squares.js';
import { ADAM_STEP, fusedOptimizerStep } from './fused-optimizer.js';
import { nativeStatus } from './native-addon.js';

// The convolution and max-pool kernels are checked against the cpu oracle by the gradient-check suite
// (backend/kernels/gradient-check.test.ts); here: the fused optimizer steps and the addon's own argument checks.
const status = nativeStatus();
const skip = status.ok ? false : `native kernels not loaded: ${status.reason}`;

/** `steps` optimizer steps on seeded parameters and gradients; the parameters and slots after them. */
function train(config: OptimizerConfig, steps: number): Float32Array[] {
  const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const vars = [tf.variable(rand([3, 3, 4, 5], 1)), tf.variable(rand([7], 2))];
  const opt = createOptimizer(config, vars.map((variable, i) => ({ name: `p${i}`, variable })));
  for (let s = 0; s < steps; s++) {
    const grads = new Map(vars.map((v, i) => [`p${i}`, rand(v.shape, 100 + 10 * s + i)] as const));
    opt.step(grads);
    tf.dispose([...grads.values()]);
  }
  const out = [...vars, ...opt.slots().values()].map((v) => Float32Array.from(v.dataSync() as Float32Array));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

describe('fused optimizer steps (native) equal the TensorFlow.js ops bit for bit', { skip }, () => {
  const configs: [string, OptimizerConfig][] = [
    ['adam with weight decay', { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 }],
    ['adam', { type: 'adam', lr: 3e-2, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0 }],
    ['sgd with momentum and weight decay', { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: false }],
    ['sgd nesterov', { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: true }],
    ['plain sgd', { type: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false }],
  ];
  for (const [name, config] of configs) {
    test(name, async () => {
      await useBackend('wasm');
      assert.ok(registerNativeKernels());
      const fused = train(config, 4);
      unregisterNativeKernels();
      try {
        assert.equal(fusedOptimizerStep(ADAM_STEP, {}, []), undefined, 'the fused kernels are off');
        const ops = train(config, 4);
        assert.equal(fused.length, ops.length);
        fused.forEach((f, i) => assert.deepEqual(f, ops[i], `tensor ${i}`));
      } finally {
        registerNativeKernels();
      }
    });
  }
});

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

test("after a native optimizer step, sumOfSquares reads the parameter's norm the step recorded, and it is right", { skip }, async () => {
  await useBackend('wasm');
  const v = tf.variable(tf.randomNormal([64, 33], 0, 1, 'float32', 9));
  const opt = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false }, [{ name: 'p', variable: v }]);
  const g = tf.randomNormal([64, 33], 0, 1, 'float32', 10);
  opt.step(new Map([['p', g]]));
  const recorded = (await sumOfSquares(v).data())[0]!;
  const direct = (await tf.tidy(() => tf.sum(tf.square(v))).data())[0]!;
  assert.ok(Math.abs(recorded - direct) / direct < 1e-5, `${recorded} vs ${direct}`);
  tf.dispose([v, g]);
  opt.dispose();
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
