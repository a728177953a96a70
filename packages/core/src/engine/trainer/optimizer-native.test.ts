import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_STEP, fusedOptimizerStep, nativeStatus, registerNativeKernels, sumOfSquares, unregisterNativeKernels } from '@ungreedy/backend';
import { useBackend } from '@ungreedy/backend/gradient-check';
import type { OptimizerConfig } from '../config/experiment-config.js';
import { createOptimizer } from './optimizer.js';

// The native kernels themselves are checked in @ungreedy/backend (packages/backend/src/native/native-kernels.test.ts);
// here: the optimizer's fused steps (the addon's, through fusedOptimizerStep) against its TensorFlow.js ops.
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
