import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { definePlugin, tf } from '@ungreedy/core';
import type { EpochContext, GradientsByGroup, LossInput, ParamGradient, ParamGroupId, StepContext, StrategyContribution } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, stepContext, trainTiny, weightsAtStep } from '@ungreedy/core/testing';
import plugin, { MULTIMODAL_TERM, mmpareto, unimodalTerm } from './index.js';
import type { MmParetoOptions, MmParetoStrategy } from './index.js';

before(setupTestBackend);

const log = silentLogger();

function make(options: Partial<MmParetoOptions> = {}, numModalities = 2): MmParetoStrategy {
  return mmpareto.create(resolveOptions('mmpareto', mmpareto.meta, options), { numModalities, log }) as MmParetoStrategy;
}

const param = (name: string, values: number[]): ParamGradient => ({ name, shape: [values.length], grad: tf.tensor1d(values), weight: tf.zeros([values.length]) });

/** Gradients per group from plain arrays: { group: { paramName: values } }. */
function byGroup(spec: Record<string, Record<string, number[]>>): Map<ParamGroupId, ParamGradient[]> {
  return new Map(Object.entries(spec).map(([g, ps]) => [g as ParamGroupId, Object.entries(ps).map(([n, v]) => param(n, v))]));
}

// Encoder 0: g_m = (1, 0), g_u = (−1, 1): conflict, α_m = 3/5, h = (0.4, 0.8), ‖g_m + g_u‖ = 1 → × 1.5/√0.8.
// Encoder 1: g_m = (1, 2), g_u = (3, 1): agree, h = g_m + g_u = (4, 3) → × 1.5.
// The summed gradient (what wrapLoss's backward gives) is g_m + g_u on each encoder; heads have their own.
const MM = { 'branch/0': { 'b0/k': [1, 0] }, 'branch/1': { 'b1/k': [1, 2] }, 'head/0': { 'h0/k': [9, 9] } };
const U0 = { 'branch/0': { 'b0/k': [-1, 1] }, 'branch/1': { 'b1/k': [0, 0] }, 'head/0': { 'h0/k': [1, 1] } };
const U1 = { 'branch/0': { 'b0/k': [0, 0] }, 'branch/1': { 'b1/k': [3, 1] }, 'head/0': { 'h0/k': [0, 0] } };
const SUM = { 'branch/0': { 'b0/k': [0, 1] }, 'branch/1': { 'b1/k': [4, 3] }, 'head/0': { 'h0/k': [10, 10] } };

function stepWith(sets: Record<string, Map<ParamGroupId, ParamGradient[]>>, values: Map<string, number>): StepContext {
  return stepContext({
    gradientSets: new Map(Object.entries(sets)),
    metrics: { record: (name, value) => void values.set(name, value) },
  });
}

const disposeAll = (...maps: GradientsByGroup[]) => {
  for (const m of maps) for (const ps of m.values()) for (const p of ps) tf.dispose([p.grad, p.weight]);
};

test('the manifest registers mmpareto with γ = 1.5', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-mmpareto');
  assert.equal(plugin.strategies?.['mmpareto'], mmpareto as StrategyContribution);
  assert.deepEqual(resolveOptions('mmpareto', mmpareto.meta, {}), { gamma: 1.5 });
});

test('encoder gradients: MGDA combination when conflicting, the sum when agreeing, both × the magnitude rule', () => {
  const sets = { [MULTIMODAL_TERM]: byGroup(MM), [unimodalTerm(0)]: byGroup(U0), [unimodalTerm(1)]: byGroup(U1) };
  const grads = byGroup(SUM);
  const values = new Map<string, number>();
  const strategy = make();
  const out = strategy.transformGradients(grads, stepWith(sets, values));
  const got = (g: ParamGroupId) => Array.from(out.get(g)![0]!.grad.dataSync());
  const f = 1.5 / Math.sqrt(0.8);
  got('branch/0').forEach((v, i) => assert.ok(Math.abs(v - [0.4 * f, 0.8 * f][i]!) < 1e-5, `branch/0: ${got('branch/0')}`));
  got('branch/1').forEach((v, i) => assert.ok(Math.abs(v - [6, 4.5][i]!) < 1e-5, `branch/1: ${got('branch/1')}`));
  assert.equal(out.get('head/0'), grads.get('head/0'), 'heads keep the summed gradient');
  assert.equal(values.get('conflict/0'), 1);
  assert.equal(values.get('conflict/1'), 0);
  // The epoch metrics after this one step, read from a restored copy of the state.
  const epoch = new Map<string, number>();
  const resumed = make();
  resumed.loadStateDict(JSON.parse(JSON.stringify(strategy.stateDict())));
  resumed.onEpochEnd({ ...stepWith(sets, epoch) } as unknown as EpochContext);
  assert.equal(epoch.get('conflictRate'), 0.5);
  assert.equal(epoch.get('conflictRate/0'), 1);
  assert.equal(epoch.get('conflictRate/1'), 0);
  assert.ok(Math.abs(epoch.get('meanCos/0')! + 1 / Math.SQRT2) < 1e-6);
  assert.ok(Math.abs(values.get('alpha/0')! - 0.6) < 1e-6);
  assert.equal(values.get('alpha/1'), 0.5);
  assert.ok(Math.abs(values.get('cos/0')! + 1 / Math.SQRT2) < 1e-6);
  disposeAll(grads, ...Object.values(sets), new Map([['branch/0', out.get('branch/0')!], ['branch/1', out.get('branch/1')!]]));
});

test('γ = 1 and a combination longer than the sum: only γ scales it', () => {
  // Encoder 0 with g_m = (1, 0), g_u = (−1, 1) but a summed gradient of norm 0.5 (< ‖h‖ = √0.8): h unchanged.
  const sets = { [MULTIMODAL_TERM]: byGroup({ 'branch/0': MM['branch/0'] }), [unimodalTerm(0)]: byGroup({ 'branch/0': U0['branch/0'] }) };
  const grads = byGroup({ 'branch/0': { 'b0/k': [0, 0.5] } });
  const out = make({ gamma: 1 }).transformGradients(grads, stepWith(sets, new Map()));
  Array.from(out.get('branch/0')![0]!.grad.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - [0.4, 0.8][i]!) < 1e-6));
  disposeAll(grads, ...Object.values(sets), out);
});

test('a missing gradient set is a coded error naming the term', () => {
  const grads = byGroup({ 'branch/0': { 'b0/k': [0, 1] } });
  assert.throws(
    () => make().transformGradients(grads, stepWith({ [MULTIMODAL_TERM]: byGroup(MM) }, new Map())),
    (err: { code: string; data: { term: string } }) => err.code === 'UNG_ERR_MODEL_MISMATCH' && err.data.term === 'unimodal/0',
  );
  disposeAll(grads);
});

test('lossTerms: CE(fused) and CE(head_k) by name; wrapLoss is their sum', () => {
  const heads = [tf.tensor2d([[2, 0]]), tf.tensor2d([[0, 1]])];
  const fused = tf.tensor2d([[1, 0.5]]);
  const oneHot = tf.tensor2d([[1, 0]]);
  const crossEntropy = (logits: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  const input = { heads, fused, crossEntropy } as unknown as LossInput;
  const c = { ...stepContext(), mode: { kind: 'regular' } };
  const terms = make().lossTerms(input, c);
  assert.deepEqual(Object.keys(terms), ['multimodal', 'unimodal/0', 'unimodal/1']);
  const softplus = (x: number) => Math.log1p(Math.exp(x));
  const expected = [softplus(-0.5), softplus(-2), softplus(1)];
  Object.values(terms).forEach((t, i) => assert.ok(Math.abs(t.dataSync()[0]! - expected[i]!) < 1e-6));
  const loss = make().wrapLoss(input, c);
  assert.ok(Math.abs(loss.dataSync()[0]! - expected.reduce((a, b) => a + b, 0)) < 1e-6);
  tf.dispose([...heads, fused, oneHot, loss, ...Object.values(terms)]);
});

test('integration: in a real tiny run the encoders get MMPareto\'s gradient, heads the plain sum\'s', async () => {
  // Every parameter's weight at the second step's backward: the weights after the first optimizer step.
  const spied = { sum: weightsAtStep(1), pareto: weightsAtStep(1) };
  const after = { sum: spied.sum.seen, pareto: spied.pareto.seen };
  // The same loss without the gradient rule: what MMPareto replaces.
  const plainSum: StrategyContribution = {
    meta: mmpareto.meta,
    create: (o, c) => {
      const s = mmpareto.create(o as MmParetoOptions, c) as MmParetoStrategy;
      return { evaluationMode: 'regular', wrapLoss: s.wrapLoss.bind(s) };
    },
  };
  const spy = definePlugin({
    meta: { name: 'mmpareto-spy', version: '0.0.0', namespace: 'spy', coreApi: '^2.0.0' },
    strategies: { 'spy-sum': plainSum, 'spy-pareto': mmpareto as StrategyContribution },
  });
  // Late fusion, fused output = mean of the heads. (The paper's concat classifier, model.fused 'concat', waits
  // for core's model options.)
  const config = (use: string) => ({ seed: 4, model: { fusion: { use: 'late', options: {}, after: [] } }, train: { epochs: 2 }, strategy: { use, options: {} } });
  const sum = await trainTiny({ plugins: [spy], config: config('spy-sum'), observers: [spied.sum.observer] });
  const pareto = await trainTiny({ plugins: [spy], config: config('spy-pareto'), observers: [spied.pareto.observer] });
  try {
    for (const r of [sum, pareto]) assert.equal(r.summary.status, 'completed', JSON.stringify(r.summary.error));
    const differs = (name: string) => after.sum.get(name)!.some((v, i) => v !== after.pareto.get(name)![i]);
    const names = [...after.sum.keys()];
    const branch = names.filter((n) => n.startsWith('branch/'));
    assert.ok(branch.length > 0 && branch.every(differs), 'every encoder parameter must be updated differently (γ · magnitude rule)');
    const heads = names.filter((n) => !n.startsWith('branch/'));
    assert.ok(heads.length > 0 && !heads.some(differs), 'heads must get the plain summed gradient');
    const rates = pareto.epochs.map((e) => {
      const m = e.strategy ?? {};
      return m[Object.keys(m).find((k) => k.endsWith('/conflictRate'))!];
    });
    assert.ok(rates.every((r) => r !== undefined && r >= 0 && r <= 1), `conflictRate is recorded every epoch: ${rates}`);
    assert.ok(pareto.steps.every((s) => Object.keys(s.strategy ?? {}).some((k) => k.endsWith('/cos/0'))), 'cos/0 is recorded every step');
  } finally {
    rmSync(sum.dir, { recursive: true, force: true });
    rmSync(pareto.dir, { recursive: true, force: true });
  }
});
