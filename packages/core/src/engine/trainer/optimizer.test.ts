import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../config/experiment-config.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { createOptimizer } from './optimizer.js';

before(setupTestBackend);

const GRADS = [
  [0.1, 0.2, -0.3],
  [-0.4, 0.5, 0.6],
  [0.7, -0.8, 0.9],
];

// Reference trajectories from torch 1.13 (float64): p = [1, -2, 0.5], p.grad = GRADS[i], opt.step().
const TORCH: Record<string, number[][]> = {
  'sgd lr=0.1 momentum=0.9 weight_decay=0.01': [
    [0.989, -2.018, 0.5295],
    [1.018111, -2.082182, 0.4955205],
    [0.973292789, -2.057863618, 0.3744434295],
  ],
  'sgd nesterov': [
    [0.9791, -2.0342, 0.55605],
    [1.04432971, -2.13991502, 0.464888505],
    [0.932933412551, -2.035823479462, 0.2654603163405],
  ],
  'sgd plain': [
    [0.99, -2.02, 0.53],
    [1.03, -2.07, 0.47],
    [0.96, -1.99, 0.38],
  ],
  'adam lr=0.01 weight_decay=0.1': [
    [0.9900000005, -2.0, 0.5099999996],
    [0.9924919051207349, -2.0074413678849683, 0.5054539128911388],
    [0.9874636773730132, -2.0029730121192517, 0.49822428524679524],
  ],
};

const CONFIGS: Record<string, OptimizerConfig> = {
  'sgd lr=0.1 momentum=0.9 weight_decay=0.01': { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: false },
  'sgd nesterov': { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true },
  'sgd plain': { type: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false },
  'adam lr=0.01 weight_decay=0.1': { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 },
};

for (const [label, expected] of Object.entries(TORCH)) {
  test(`${label} follows PyTorch step by step`, () => {
    const p = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const opt = createOptimizer(CONFIGS[label]!, [{ name: 'p', variable: p }]);
    GRADS.forEach((g, i) => {
      const grad = tf.tensor1d(g);
      opt.step(new Map([['p', grad]]));
      grad.dispose();
      const got = Array.from(p.dataSync());
      got.forEach((v, j) => assert.ok(Math.abs(v - expected[i]![j]!) < 2e-6, `step ${i} [${j}]: ${v} vs ${expected[i]![j]}`));
    });
    opt.dispose();
    p.dispose();
  });
}

test('a parameter without gradient, or outside the mask, is not touched (slots included)', () => {
  const a = tf.variable(tf.tensor1d([1, 2]));
  const b = tf.variable(tf.tensor1d([3, 4]));
  const opt = createOptimizer({ type: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, [
    { name: 'a', variable: a },
    { name: 'b', variable: b },
  ]);
  const g = tf.tensor1d([1, 1]);
  opt.step(new Map([['a', g]]));
  assert.deepEqual(Array.from(b.dataSync()), [3, 4]);
  opt.step(new Map([['a', g], ['b', g]]), new Set(['a']));
  assert.deepEqual(Array.from(b.dataSync()), [3, 4]);
  assert.deepEqual(Array.from(opt.slots().get('b/m')!.dataSync()), [0, 0]);
  assert.deepEqual((opt.stateDict()['steps'] as Record<string, number>)['a'], 2);
  assert.deepEqual((opt.stateDict()['steps'] as Record<string, number>)['b'], 0);
  g.dispose();
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('slots and state restore exactly: a restored optimizer continues bit-identically', () => {
  const config: OptimizerConfig = { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };
  const p1 = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const o1 = createOptimizer(config, [{ name: 'p', variable: p1 }]);
  const step = (o: typeof o1, g: number[]): void => {
    const t = tf.tensor1d(g);
    o.step(new Map([['p', t]]));
    t.dispose();
  };
  step(o1, GRADS[0]!);
  const p2 = tf.variable(p1.clone());
  const o2 = createOptimizer(config, [{ name: 'p', variable: p2 }]);
  o2.loadStateDict(JSON.parse(JSON.stringify(o1.stateDict())), o1.slots());
  step(o1, GRADS[1]!);
  step(o2, GRADS[1]!);
  assert.deepEqual(Array.from(p2.dataSync()), Array.from(p1.dataSync()));
  tf.dispose([p1, p2]);
  o1.dispose();
  o2.dispose();
});
