import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { baseLossOf, crossEntropy } from '../eval/loss.js';
import { Rng } from '../../contract/rng/rng.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { REGULAR } from '../../contract/model/fusion-block.js';
import { buildTestModel } from './testing/model-fixtures.js';

// model.heads, model.fused and train.loss (packages/core/docs/model-options.md).
before(setupTestBackend);

const randn = (shape: number[], seed: number): tf.Tensor =>
  tf.tensor(Rng.fromSeed(seed, 'x').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

const twoMlp = {
  shapes: [[6], [4]],
  encoders: [{ use: 'mlp', options: { hidden: [5] } }],
  numClasses: 3,
};

test("heads 'shared': one set of head variables (head/shared), used by every modality, with gradients from every modality", async () => {
  const model = await buildTestModel({ ...twoMlp, heads: 'shared' });
  const heads = model.variables().filter((v) => v.name.startsWith('head.'));
  assert.deepEqual(
    heads.map((v) => [v.name, v.group, v.variable.shape]),
    [
      ['head.shared.weight', 'head/shared', [5, 3]],
      ['head.shared.bias', 'head/shared', [3]],
    ],
  );
  const xs = [randn([4, 6], 1), randn([4, 4], 2)];
  const out = model.forward(xs, { training: false, mode: REGULAR });
  for (const k of [0, 1]) assert.equal(maxDiff(model.applyHead(k, out.features[k]!), out.heads[k]!), 0);
  const weight = heads[0]!.variable;
  // Gradient of each head's output alone reaches the shared weight.
  const labels = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3), 'float32') as tf.Tensor2D;
  for (const k of [0, 1]) {
    const { grads, value } = tf.variableGrads(() => crossEntropy(model.forward(xs, { training: true, mode: REGULAR }).heads[k]!, labels), [weight]);
    const norm = tf.tidy(() => tf.sum(tf.square(grads[weight.name]!)).dataSync()[0]!);
    assert.ok(norm > 0, `modality ${k} reaches the shared head`);
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([...xs, out.fused, ...out.heads, ...out.features, labels]);
  model.dispose();
});

test("heads 'shared' with unequal feature sizes is UNG_ERR_CONFIG_INVALID at /model/heads", async () => {
  await assert.rejects(
    buildTestModel({ ...twoMlp, encoders: [{ use: 'mlp', options: { hidden: [5] } }, { use: 'mlp', options: { hidden: [7] } }], heads: 'shared' }),
    (err: unknown) => {
      assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'), String(err));
      assert.equal((err.data as { pointer: string }).pointer, '/model/heads');
      assert.deepEqual((err.data as { featureSizes: number[] }).featureSizes, [5, 7]);
      assert.match(err.message, /"separate"/);
      return true;
    },
  );
});

test("fused 'sum' equals the sum of the head logits; the default stays the mean with the same weights", async () => {
  const summed = await buildTestModel({ ...twoMlp, fused: 'sum' });
  const meaned = await buildTestModel(twoMlp);
  const xs = [randn([4, 6], 3), randn([4, 4], 4)];
  const a = summed.forward(xs, { training: false, mode: REGULAR });
  const b = meaned.forward(xs, { training: false, mode: REGULAR });
  const sum = tf.add(a.heads[0]!, a.heads[1]!);
  assert.ok(maxDiff(a.fused, sum) < 1e-6);
  assert.equal(maxDiff(a.heads[0]!, b.heads[0]!), 0);
  assert.ok(maxDiff(b.fused, tf.div(sum, 2)) < 1e-6);
  assert.deepEqual(summed.variables().map((v) => v.name), meaned.variables().map((v) => v.name));
  tf.dispose([...xs, sum, a.fused, ...a.heads, ...a.features, b.fused, ...b.heads, ...b.features]);
  summed.dispose();
  meaned.dispose();
});

test("fused 'concat': its own classifier (head/fused) over the concatenated features; other weights unchanged", async () => {
  const model = await buildTestModel({ ...twoMlp, fused: 'concat' });
  const plain = await buildTestModel(twoMlp);
  const fusedVars = model.variables().filter((v) => v.group === 'head/fused');
  assert.deepEqual(
    fusedVars.map((v) => [v.name, v.variable.shape]),
    [
      ['head.fused.weight', [10, 3]],
      ['head.fused.bias', [3]],
    ],
  );
  for (const v of plain.variables()) {
    const same = model.variables().find((w) => w.name === v.name)!;
    assert.equal(maxDiff(same.variable, v.variable), 0, `${v.name} keeps its initial value`);
  }
  const xs = [randn([4, 6], 5), randn([4, 4], 6)];
  const out = model.forward(xs, { training: false, mode: REGULAR });
  const expected = tf.add(tf.matMul(tf.concat([...out.features], 1), fusedVars[0]!.variable), fusedVars[1]!.variable);
  assert.ok(maxDiff(out.fused, expected) < 1e-6);

  // train.loss 'fused' trains the concat classifier and not the per-modality heads; 'heads' does the opposite.
  const labels = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3), 'float32') as tf.Tensor2D;
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const gradNorms = (kind: 'heads' | 'fused'): Map<string, number> => {
    const { grads, value } = tf.variableGrads(() => {
      const o = model.forward(xs, { training: true, mode: REGULAR });
      return baseLossOf(kind, o.fused, o.heads, labels);
    }, trainable);
    const norms = new Map(model.variables().map((v) => [v.name, grads[v.variable.name] ? tf.tidy(() => tf.sum(tf.square(grads[v.variable.name]!)).dataSync()[0]!) : 0]));
    tf.dispose([value, ...Object.values(grads)]);
    return norms;
  };
  const fused = gradNorms('fused');
  assert.ok(fused.get('head.fused.weight')! > 0);
  assert.equal(fused.get('head.0.weight'), 0);
  const heads = gradNorms('heads');
  assert.equal(heads.get('head.fused.weight'), 0);
  assert.ok(heads.get('head.0.weight')! > 0);
  tf.dispose([...xs, out.fused, ...out.heads, ...out.features, expected, labels]);
  model.dispose();
  plain.dispose();
});

test('train.loss: heads = Σ CE(head), fused = CE(fused), fused+heads = both, on a hand-made case', () => {
  // Label 0. Logits [0, 0] → CE = ln 2; [ln 3, 0] → CE = ln(4/3); [0, ln 3] → CE = ln 4.
  const oneHot = tf.tensor2d([[1, 0]]);
  const h0 = tf.tensor2d([[0, 0]]);
  const h1 = tf.tensor2d([[Math.log(3), 0]]);
  const fused = tf.tensor2d([[0, Math.log(3)]]); // CE = ln 4
  const value = (kind: 'heads' | 'fused' | 'fused+heads'): number => baseLossOf(kind, fused, [h0, h1], oneHot).dataSync()[0]!;
  const ln = Math.log;
  assert.ok(Math.abs(value('heads') - (ln(2) + ln(4 / 3))) < 1e-6);
  assert.ok(Math.abs(value('fused') - ln(4)) < 1e-6);
  assert.ok(Math.abs(value('fused+heads') - (ln(4) + ln(2) + ln(4 / 3))) < 1e-6);
  tf.dispose([oneHot, h0, h1, fused]);
});
