import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import type { LossInput, StrategyContribution } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger } from '@ungreedy/core/testing';
import plugin, { crossEntropy, rubi, stopGradient } from './index.js';
import type { RubiOptions, RubiStrategy } from './index.js';

const log = silentLogger();

before(async () => {
  await setupTestBackend();
});

function make(options: Partial<RubiOptions> = {}, numModalities = 2): RubiStrategy {
  return rubi.create(resolveOptions('rubi', rubi.meta, options), { numModalities, log }) as RubiStrategy;
}

/** A LossInput whose heads are linear maps of the given features: head_k = f_k W_k. */
function lossInput(features: tf.Tensor2D[], weights: tf.Tensor2D[], labels: number[], classes: number): LossInput {
  const applyHead = (k: number, f: tf.Tensor2D): tf.Tensor2D => tf.matMul(f, weights[k]!);
  const heads = features.map((f, k) => applyHead(k, f));
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D;
  return {
    fused: tf.div(tf.addN(heads), heads.length) as tf.Tensor2D,
    heads,
    features,
    labels: tf.tensor1d(labels, 'int32'),
    oneHot,
    baseLoss: tf.addN(heads.map((h) => crossEntropy(h, oneHot))) as tf.Scalar,
    applyHead,
    crossEntropy: (logits) => crossEntropy(logits, oneHot),
    forwardMasked: () => {
      throw new Error('rubi does not run masked forward passes');
    },
  };
}

const softplus = (x: number) => Math.log1p(Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('the plugin manifest names the package and registers rubi; defaults are biasedModality 1, stopGradient', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-rubi');
  assert.equal(plugin.strategies.rubi, rubi as StrategyContribution);
  assert.deepEqual(resolveOptions('rubi', rubi.meta, {}), { biasedModality: 1, stopGradient: true });
  assert.equal(make().evaluationMode, 'regular');
});

test('loss on hand-made logits: CE(fused ⊙ σ(head_1)) + CE(head_1)', () => {
  // Identity heads, so heads = features: h0 = [[1,0],[0,1]], h1 = [[2,0],[0,0]], labels [0, 1].
  const eye = tf.tensor2d([[1, 0], [0, 1]]);
  const input = lossInput([tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[2, 0], [0, 0]])], [eye, eye], [0, 1], 2);
  // fused = [[1.5, 0], [0, 0.5]]; mask = [[σ(2), ½], [½, ½]] → masked = [[1.5σ(2), 0], [0, 0.25]].
  // Two-class CE of logits (a, b) for label 0 is softplus(b − a).
  const lqm = (softplus(0 - 1.5 * sigmoid(2)) + softplus(0 - 0.25)) / 2;
  const lqo = (softplus(0 - 2) + softplus(0)) / 2;
  for (const stop of [true, false]) {
    const loss = make({ stopGradient: stop }).wrapLoss(input);
    assert.ok(Math.abs(loss.dataSync()[0]! - (lqm + lqo)) < 1e-6, `stopGradient ${stop}: ${loss.dataSync()[0]} vs ${lqm + lqo}`);
    loss.dispose();
  }
  // biasedModality 0 masks with head 0 instead: mask = [[σ1, ½], [½, σ1]].
  const lqm0 = (softplus(0 - 1.5 * sigmoid(1)) + softplus(0 - 0.5 * sigmoid(1))) / 2;
  const lqo0 = (softplus(-1) + softplus(-1)) / 2;
  const loss0 = make({ biasedModality: 0 }).wrapLoss(input);
  assert.ok(Math.abs(loss0.dataSync()[0]! - (lqm0 + lqo0)) < 1e-6);
  tf.dispose([loss0, eye, ...input.features, ...input.heads, input.fused, input.oneHot, input.labels, input.baseLoss]);
});

test('stopGradient keeps CE(head_b) away from branch b: feature gradients come from the masked term only', () => {
  const f0 = tf.tensor2d([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]]);
  const f1 = tf.tensor2d([[-0.4, 0.9, 0.2], [0.6, -0.3, 1.3]]);
  const w0 = tf.tensor2d([[0.5, -0.2], [0.1, 0.7], [-0.6, 0.3]]);
  const w1 = tf.tensor2d([[0.4, 0.8], [-0.5, 0.2], [0.9, -0.1]]);
  const labels = [1, 0];
  const gradsOf = (loss: (i: LossInput) => tf.Scalar) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor, wb: tf.Tensor) =>
      loss(lossInput([a as tf.Tensor2D, b as tf.Tensor2D], [w0, wb as tf.Tensor2D], labels, 2)),
    )([f0, f1, w1]);
  const maskedOnly = (i: LossInput) => crossEntropy(tf.mul(i.fused, tf.sigmoid(i.heads[1]!)) as tf.Tensor2D, i.oneHot);
  const plusHead = (i: LossInput) => tf.add(maskedOnly(i), crossEntropy(i.heads[1]!, i.oneHot)) as tf.Scalar;
  const close = (a: tf.Tensor, b: tf.Tensor) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! < 1e-6);
  tf.tidy(() => {
    const stopped = gradsOf((i) => make({ stopGradient: true }).wrapLoss(i));
    const through = gradsOf((i) => make({ stopGradient: false }).wrapLoss(i));
    const refMasked = gradsOf(maskedOnly);
    const refFull = gradsOf(plusHead);
    close(stopped[1]!, refMasked[1]!); // branch 1's features: masked term only
    close(through[1]!, refFull[1]!); // without the stop, CE(head_1) reaches them too
    assert.ok(tf.max(tf.abs(tf.sub(stopped[1]!, through[1]!))).dataSync()[0]! > 1e-3);
    close(stopped[2]!, refFull[2]!); // the head still learns from CE(head_1)
    close(stopped[0]!, refFull[0]!); // branch 0 is untouched by the choice
  });
  tf.dispose([f0, f1, w0, w1]);
});

test('stopGradient is the identity forward and zero backward', () => {
  tf.tidy(() => {
    const x = tf.tensor1d([1, -2, 3]);
    assert.deepEqual(Array.from(stopGradient(x).dataSync()), [1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(x);
    assert.deepEqual(Array.from(g.dataSync()), [1, -2, 3]); // d/dx (c · x) with c = x held constant
  });
});

test('wrapLoss leaks no tensors', () => {
  const eye = tf.eye(2) as tf.Tensor2D;
  const input = lossInput([tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[2, 0], [0, 0]])], [eye, eye], [0, 1], 2);
  const strategy = make();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) strategy.wrapLoss(input).dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([eye, ...input.features, ...input.heads, input.fused, input.oneHot, input.labels, input.baseLoss]);
});

test('create rejects a biased modality the model does not have', () => {
  assert.throws(
    () => rubi.create(resolveOptions('rubi', rubi.meta, { biasedModality: 2 }), { numModalities: 2, log }),
    (err: { code: string; data: { issues: { pointer: string }[] } }) =>
      err.code === 'UNG_ERR_CONFIG_INVALID' && err.data.issues[0]!.pointer === '/strategy/options/biasedModality',
  );
});
