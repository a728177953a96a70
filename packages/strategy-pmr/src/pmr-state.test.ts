import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import type { EpochContext, ForwardMode, JsonObject, LossInput, StrategyContext } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, strategyContext } from '@ungreedy/core/testing';
import { pmr } from './index.js';
import type { PmrOptions, PmrStrategy } from './index.js';

// PMR's strategy on hand-made features: the prototypes of the epoch-begin pass, the loss they give, and their
// round trip through stateDict (a mid-epoch resume does not re-run onEpochBegin).

before(setupTestBackend);

const log = silentLogger();

function make(options: Partial<PmrOptions> = {}): PmrStrategy {
  return pmr.create(resolveOptions('pmr', pmr.meta, options), { numModalities: 2, log }) as PmrStrategy;
}

function context(recorded: [string, number][], epoch = 1): StrategyContext {
  return strategyContext({ epoch, metrics: { record: (name: string, value: number) => void recorded.push([name, value]) } } as Partial<StrategyContext>);
}

/** An epoch context whose training split is one batch: modality 0 features z0, modality 1 features z1. */
function epochContext(z0: number[][], z1: number[][], labels: number[]): EpochContext {
  return {
    ...context([]),
    data: {
      numClasses: 2,
      size: () => labels.length,
      async forEachBatch(_split: string, fn: (out: never) => void | Promise<void>) {
        const features = [tf.tensor2d(z0), tf.tensor2d(z1)];
        try {
          await fn({ features, heads: [], fused: null, labels: Int32Array.from(labels), indices: Int32Array.from(labels.map((_, i) => i)) } as never);
        } finally {
          tf.dispose(features);
        }
      },
    },
  } as unknown as EpochContext;
}

function lossInput(z0: number[][], z1: number[][], labels: number[]): LossInput {
  return {
    features: [tf.tensor2d(z0), tf.tensor2d(z1)],
    oneHot: tf.tensor2d(labels.map((y) => [y === 0 ? 1 : 0, y === 1 ? 1 : 0])),
    baseLoss: tf.scalar(0),
  } as unknown as LossInput;
}

const regular = { kind: 'regular' } as ForwardMode;

test('epoch begin: the mean feature per class and modality; the loss adds α β PCE for the slower modality', async () => {
  const strategy = make({ alpha: 1 });
  // Modality 0 (hard): class prototypes [0, 0] and [2, 0]; modality 1 (easy): [0, 0] and [10, 0].
  await strategy.onEpochBegin!(epochContext([[-1, 0], [1, 0], [2, 1], [2, -1]], [[0, 1], [0, -1], [10, 0], [10, 0]], [0, 0, 1, 1]));
  const state = strategy.stateDict!() as { prototypes: { values: number[] }[] };
  assert.deepEqual(state.prototypes.map((p) => p.values), [[0, 0, 2, 0], [0, 0, 10, 0]]);

  // One sample of class 0 at [1, 0] in modality 0 (distances 1, 1: p = ½) and at [0, 0] in modality 1
  // (distances 0, 10: p = 1/(1 + e^−10)). ρ = s_0 / s_1 < 1 → β_0 = clip(1/ρ − 1) = s_1/s_0 − 1, β_1 = 0.
  const recorded: [string, number][] = [];
  const input = lossInput([[1, 0]], [[0, 0]], [0]);
  const loss = strategy.wrapLoss!(input, { ...context(recorded), mode: regular });
  const s0 = 0.5;
  const s1 = 1 / (1 + Math.exp(-10));
  const beta0 = Math.min(s1 / s0 - 1, 1);
  assert.ok(Math.abs(loss.dataSync()[0]! - beta0 * Math.LN2) < 1e-5, `loss ${loss.dataSync()[0]} vs ${beta0 * Math.LN2}`);
  const metrics = Object.fromEntries(recorded);
  assert.ok(Math.abs(metrics['ratio']! - s0 / s1) < 1e-5);
  assert.ok(Math.abs(metrics['beta/0']! - beta0) < 1e-5);
  assert.equal(metrics['beta/1'], 0);
  tf.dispose([loss, ...input.features, input.oneHot, input.baseLoss]);
});

test('stateDict round-trips through JSON: a fresh instance gives the same loss without an epoch begin', async () => {
  const a = make();
  await a.onEpochBegin!(epochContext([[-1, 0], [1, 0], [2, 1], [2, -1]], [[0, 1], [0, -1], [10, 0], [10, 0]], [0, 0, 1, 1]));
  const b = make();
  b.loadStateDict!(JSON.parse(JSON.stringify(a.stateDict!())) as JsonObject);
  const fresh = make();
  const input = lossInput([[1, 0], [3, 1]], [[0, 0], [9, 1]], [0, 1]);
  const ctx = { ...context([]), mode: regular };
  const [la, lb, lf] = [a, b, fresh].map((s) => s.wrapLoss!(input, ctx).dataSync()[0]!);
  assert.equal(lb, la);
  assert.ok(la! > 0, 'the prototype term must add to the loss');
  assert.equal(lf, 0, 'without prototypes PMR adds nothing');
  // The second epoch blends: c ← 0.8 · mean + 0.2 · previous.
  await a.onEpochBegin!(epochContext([[0, 0], [0, 0], [0, 0], [0, 0]], [[0, 0], [0, 0], [0, 0], [0, 0]], [0, 0, 1, 1]));
  const next = a.stateDict!() as { prototypes: { values: number[] }[] };
  assert.deepEqual(next.prototypes.map((p) => p.values.map((v) => Math.round(v * 1e6) / 1e6)), [[0, 0, 0.4, 0], [0, 0, 2, 0]]);
  assert.throws(() => b.loadStateDict!({ prototypes: [{ numClasses: 2, dim: 2, values: [1] }] }), /UNG_ERR_CHECKPOINT_MISMATCH/);
  tf.dispose([...input.features, input.oneHot, input.baseLoss]);
});
