import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import type { ForwardMode } from '@ungreedy/core';
import {
  buildTinyModel,
  learningSpeedWithD,
  resolveOptions,
  setupTestBackend,
  silentLogger,
  stepContext,
  strategyContext,
} from '@ungreedy/core/testing';
import type { TinyModel } from '@ungreedy/core/testing';
import { guided } from './index.js';
import type { GuidedStrategy } from './index.js';

const log = silentLogger();

before(setupTestBackend);

/** Core's built-ins only: the mlp encoder and the mmtm fusion block. */
function model(): Promise<TinyModel> {
  return buildTinyModel({
    inputs: [[3], [3]],
    encoders: [{ use: 'mlp', options: { hidden: [4] } }],
    // Running means updated by training forwards only, so the evaluation forwards below all see the same r_k.
    fusion: { use: 'mmtm', options: { runningMean: { update: 'train-only' } }, after: [0] },
    numClasses: 3,
    seed: 3,
  });
}

test("guided's re-balancing step for k puts branch k on the running-mean gate: the other modality no longer reaches it", async () => {
  const strategy = guided.create(resolveOptions('guided', guided.meta, { warmupEpochs: 0 }), { numModalities: 2, log }) as GuidedStrategy;
  strategy.onEpochBegin(strategyContext({ epoch: 1 }));
  strategy.onAfterBackward(new Map(), stepContext({ speed: learningSpeedWithD(0.5) }));
  const mode = strategy.chooseForwardMode();
  assert.deepEqual(mode, { kind: 'rebalance', modality: 0 });

  const m = await model();
  const x0 = tf.tensor2d([[0.5, -1, 2], [1, 0.3, -0.4]]);
  const x1 = tf.tensor2d([[1, 2, 3], [-2, 0.5, 1]]);
  const x1b = tf.tensor2d([[-3, 1, 0], [0.7, -1.5, 2]]);
  try {
    // One training forward gives the running means a value.
    tf.tidy(() => void m.forward([x0, x1], { training: true, mode: { kind: 'regular' } }));
    const features = (inputs: tf.Tensor[], forward: ForwardMode): number[][] =>
      tf.tidy(() => m.forward(inputs, { training: false, mode: forward }).features.map((f) => Array.from(f.dataSync())));
    const rebalanced = [features([x0, x1], mode), features([x0, x1b], mode)];
    const regular = [features([x0, x1], { kind: 'regular' }), features([x0, x1b], { kind: 'regular' })];
    // Regular: m1 modulates branch 0 through the fusion gate.
    assert.notDeepEqual(regular[0]![0], regular[1]![0]);
    // Re-balancing k = 0: branch 0's gate is the constant running mean, so m1 no longer changes branch 0...
    assert.deepEqual(rebalanced[0]![0], rebalanced[1]![0]);
    // ...while branch 1 keeps its live gate, which m1 (its own input) changes.
    assert.notDeepEqual(rebalanced[0]![1], rebalanced[1]![1]);
  } finally {
    tf.dispose([x0, x1, x1b]);
    m.dispose();
  }
});
