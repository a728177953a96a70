import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tf } from '@ungreedy/core';
import type { JsonObject, LossInput, SplitSummary, StrategyContext, StrategyContribution, ValidationResult } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, strategyContext, trainTiny } from '@ungreedy/core/testing';
import plugin, { gblending } from './index.js';
import type { GBlendingOptions, GBlendingStrategy } from './index.js';

before(setupTestBackend);

const log = silentLogger();

function make(options: Partial<GBlendingOptions> = {}, numModalities = 2): GBlendingStrategy {
  return gblending.create(resolveOptions('gblending', gblending.meta, options), { numModalities, log }) as GBlendingStrategy;
}

function ctx(values = new Map<string, number>()): StrategyContext {
  return strategyContext({ metrics: { record: (name, value) => void values.set(name, value) } });
}

/** Losses per output, heads first then fused: [train, val] pairs. */
function split(losses: readonly number[]): SplitSummary {
  return { fused: { loss: losses.at(-1)!, acc: 0.5 }, heads: losses.slice(0, -1).map((loss) => ({ loss, acc: 0.5 })) };
}

function result(epoch: number, points: readonly (readonly [number, number])[]): ValidationResult {
  return { epoch, train: split(points.map((p) => p[0])), val: split(points.map((p) => p[1])) };
}

// The loss curves of gblending-math.test.ts: epoch 1 → 2 gives w = (8, 1, 48) / 57.
const CURVES: readonly (readonly (readonly [number, number])[])[] = [
  [[1.0, 1.2], [0.8, 1.0], [0.9, 1.1]], // epoch 1
  [[0.6, 1.0], [0.3, 0.9], [0.5, 0.8]], // epoch 2
  // epoch 3: head 0 ΔG 0.1, ΔO (0.6 − 0.4) = 0.2 → 2.5; head 1 ΔG 0.1, ΔO (0.7 − 0.6) = 0.1 → 10; fused ΔG −0.1 → 0
  [[0.3, 0.9], [0.1, 0.8], [0.2, 0.9]],
];

const close = (actual: readonly number[], expected: readonly number[]) =>
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-12, `${actual} vs ${expected}`));

test('the manifest registers gblending with the documented defaults', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-gblending');
  assert.equal(plugin.strategies?.['gblending'], gblending as StrategyContribution);
  assert.deepEqual(resolveOptions('gblending', gblending.meta, {}), { mode: 'offline', superEpoch: 1, fusedTerm: true });
});

test('offline: equal weights until the first super-epoch, then the estimate, kept for good', () => {
  const s = make();
  const values = new Map<string, number>();
  close(s.weights, [1 / 3, 1 / 3, 1 / 3]);
  s.onValidationEnd(result(1, CURVES[0]!), ctx(values));
  close(s.weights, [1 / 3, 1 / 3, 1 / 3]);
  assert.equal(values.get('weight/fused'), 1 / 3);
  s.onValidationEnd(result(2, CURVES[1]!), ctx(values));
  close(s.weights, [8 / 57, 1 / 57, 48 / 57]);
  assert.ok(Math.abs(values.get('weight/0')! - 8 / 57) < 1e-12);
  assert.ok(Math.abs(values.get('ogr/1')! - 4) < 1e-9, 'head 1: ΔO 0.4 over ΔG 0.1');
  s.onValidationEnd(result(3, CURVES[2]!), ctx(values));
  close(s.weights, [8 / 57, 1 / 57, 48 / 57]);
});

test('online: re-estimated after every super-epoch from the last one', () => {
  const s = make({ mode: 'online' });
  for (let e = 0; e < 3; e++) s.onValidationEnd(result(e + 1, CURVES[e]!), ctx());
  close(s.weights, [2.5 / 12.5, 10 / 12.5, 0]);
});

test('superEpoch 2: the estimate compares epochs 1 and 3', () => {
  const s = make({ mode: 'online', superEpoch: 2 });
  s.onValidationEnd(result(1, CURVES[0]!), ctx());
  s.onValidationEnd(result(2, CURVES[1]!), ctx());
  close(s.weights, [1 / 3, 1 / 3, 1 / 3]);
  s.onValidationEnd(result(3, CURVES[2]!), ctx());
  // 1 → 3: head 0 ΔG 0.3, ΔO 0.6 − 0.2 = 0.4 → 1.875; head 1 ΔG 0.2, ΔO 0.7 − 0.2 = 0.5 → 0.8; fused ΔG 0.2, ΔO 0.7 − 0.2 = 0.5 → 0.8
  const z = 0.3 / 0.16 + 0.2 / 0.25 + 0.2 / 0.25;
  close(s.weights, [0.3 / 0.16 / z, 0.2 / 0.25 / z, 0.2 / 0.25 / z]);
});

test('without the fused term only the heads are blended', () => {
  const s = make({ fusedTerm: false });
  s.onValidationEnd(result(1, CURVES[0]!), ctx());
  s.onValidationEnd(result(2, CURVES[1]!), ctx());
  close(s.weights, [5 / 5.625, 0.625 / 5.625]);
});

/** A LossInput over fixed logits; crossEntropy is the batch-mean softmax cross-entropy. */
function lossInput(heads: tf.Tensor2D[], fused: tf.Tensor2D, labels: number[]): LossInput {
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), heads[0]!.shape[1]), 'float32') as tf.Tensor2D;
  const crossEntropy = (logits: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  return { heads, fused, oneHot, crossEntropy } as unknown as LossInput;
}

test('wrapLoss is Σ_j w_j CE(logits_j), heads then fused', () => {
  const s = make();
  s.onValidationEnd(result(1, CURVES[0]!), ctx());
  s.onValidationEnd(result(2, CURVES[1]!), ctx());
  // Two-class CE of logits (a, b) for label 0 is softplus(b − a), for label 1 softplus(a − b).
  const softplus = (x: number) => Math.log1p(Math.exp(x));
  const heads = [tf.tensor2d([[2, 0], [0, 1]]), tf.tensor2d([[0, 0], [1, 0]])];
  const fused = tf.tensor2d([[1, 0], [0.5, 0.5]]);
  const ce = [(softplus(-2) + softplus(-1)) / 2, (softplus(0) + softplus(1)) / 2, (softplus(-1) + softplus(0)) / 2];
  const expected = (8 * ce[0]! + 1 * ce[1]! + 48 * ce[2]!) / 57;
  const input = lossInput(heads, fused, [0, 1]);
  const before = tf.memory().numTensors;
  const loss = s.wrapLoss(input, { ...ctx(), mode: { kind: 'regular' } });
  assert.ok(Math.abs(loss.dataSync()[0]! - expected) < 1e-6, `${loss.dataSync()[0]} vs ${expected}`);
  loss.dispose();
  assert.equal(tf.memory().numTensors, before, 'wrapLoss leaks no tensors');
  tf.dispose([...heads, fused, (input as unknown as { oneHot: tf.Tensor }).oneHot]);
});

test('state round-trips through JSON; a foreign state is refused', () => {
  const s = make({ mode: 'online' });
  s.onValidationEnd(result(1, CURVES[0]!), ctx());
  s.onValidationEnd(result(2, CURVES[1]!), ctx());
  const copy = make({ mode: 'online' });
  copy.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
  s.onValidationEnd(result(3, CURVES[2]!), ctx());
  copy.onValidationEnd(result(3, CURVES[2]!), ctx());
  assert.deepEqual(copy.weights, s.weights);
  assert.throws(() => make({ fusedTerm: false }).loadStateDict(s.stateDict()), (err: { code: string }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH');
});

test('a dataset without a val split is a config error', () => {
  assert.throws(
    () => make().onValidationEnd({ ...result(1, CURVES[0]!), val: null }, ctx()),
    (err: { code: string }) => err.code === 'UNG_ERR_CONFIG_INVALID',
  );
});

test('integration: a real tiny run records weights that move off 1/J and trains differently from equal weights', async () => {
  const config = (options: JsonObject): JsonObject => ({ seed: 2, train: { epochs: 3 }, strategy: { use: 'gblending', options } });
  const online = await trainTiny({ plugins: [plugin], config: config({ mode: 'online' }) });
  // superEpoch 5 > epochs: never estimates, i.e. equal weights throughout.
  const equal = await trainTiny({ plugins: [plugin], config: config({ mode: 'online', superEpoch: 5 }) });
  try {
    for (const r of [online, equal]) assert.equal(r.summary.status, 'completed', JSON.stringify(r.summary.error));
    const weights = (epoch: number, run = online) => {
      const m = run.epochs[epoch - 1]!.strategy ?? {};
      return ['0', '1', 'fused'].map((t) => m[Object.keys(m).find((k) => k.endsWith(`/weight/${t}`))!]!);
    };
    close(weights(1), [1 / 3, 1 / 3, 1 / 3]);
    close(weights(3, equal), [1 / 3, 1 / 3, 1 / 3]);
    const w2 = weights(2);
    assert.ok(Math.abs(w2.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(w2.some((w) => Math.abs(w - 1 / 3) > 1e-3), `the estimate must move the weights: ${w2}`);
    assert.notEqual(online.epochs[2]!.train.loss, equal.epochs[2]!.train.loss, 'the blended loss must change training');
  } finally {
    rmSync(online.dir, { recursive: true, force: true });
    rmSync(equal.dir, { recursive: true, force: true });
  }
});
