import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Rng, definePlugin, tf } from '@ungreedy/core';
import type { EpochContext, GradientsByGroup, ParamGradient, ParamGroupId, StepContext, StrategyContribution } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, stepContext, stepMetric, trainTiny, weightsAtStep } from '@ungreedy/core/testing';
import plugin, { ogmGe } from './index.js';
import type { OgmGeOptions, OgmGeStrategy } from './index.js';

before(setupTestBackend);

const log = silentLogger();

function make(options: Partial<OgmGeOptions> = {}, numModalities = 2): OgmGeStrategy {
  return ogmGe.create(resolveOptions('ogm-ge', ogmGe.meta, options), { numModalities, log }) as OgmGeStrategy;
}

function param(name: string, values: number[], shape: number[]): ParamGradient {
  return { name, shape, grad: tf.tensor(values, shape), weight: tf.zeros(shape) };
}

/** Recorded strategy metrics of one call. */
function recorder(): { metrics: StepContext['metrics']; values: Map<string, number> } {
  const values = new Map<string, number>();
  return { metrics: { record: (name, value) => void values.set(name, value) }, values };
}

// Labels [0, 1]; head 0 is right with 0.9 and 0.7 (s_0 = 1.6), head 1 with 0.6 and 0.2 (s_1 = 0.8): ρ_0 = 2.
const batch = {
  labels: new Int32Array([0, 1]),
  headProbs: [new Float32Array([0.9, 0.1, 0.3, 0.7]), new Float32Array([0.6, 0.4, 0.8, 0.2])],
  numClasses: 2,
};

function grads(): Map<ParamGroupId, ParamGradient[]> {
  return new Map<ParamGroupId, ParamGradient[]>([
    ['branch/0', [param('branch0/dense/kernel', [1, -2, 3, -4], [2, 2]), param('branch0/dense/bias', [0.5, -0.5], [2])]],
    ['branch/1', [param('branch1/dense/kernel', [2, 2, 2, 2], [2, 2])]],
    ['head/0', [param('head0/kernel', [1, 1], [2, 1])]],
    ['fusion/shared', [param('mmtm/squeeze/kernel', [3, 3], [2, 1])]],
  ]);
}

function ctx(fields: Partial<StepContext> = {}): { ctx: StepContext; values: Map<string, number> } {
  const r = recorder();
  return { ctx: stepContext({ batch, metrics: r.metrics, rng: Rng.fromSeed(7, 'strategy'), ...fields }), values: r.values };
}

const values = (g: GradientsByGroup, group: ParamGroupId, i = 0) => Array.from(g.get(group)![i]!.grad.dataSync());
const disposeAll = (...maps: GradientsByGroup[]) => {
  for (const m of maps) for (const ps of m.values()) for (const p of ps) tf.dispose([p.grad, p.weight]);
};

test('the manifest registers ogm-ge with the documented defaults', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-ogm-ge');
  assert.equal(plugin.strategies?.['ogm-ge'], ogmGe as StrategyContribution);
  assert.deepEqual(resolveOptions('ogm-ge', ogmGe.meta, {}), {
    alpha: 0.8,
    rule: 'shifted',
    startEpoch: 1,
    endEpoch: null,
    gaussianEnhancement: true,
    parameters: 'all',
  });
});

test('the dominant encoder\'s gradient is scaled by exactly k = 1 − tanh(α(ρ − 1)); everything else is untouched', () => {
  const input = grads();
  const { ctx: c, values: metrics } = ctx();
  const out = make({ alpha: 0.5, gaussianEnhancement: false }).transformGradients(input, c);
  const k = 1 - Math.tanh(0.5); // ρ_0 = 2
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `${a} vs ${b}`));
  close(values(out, 'branch/0', 0), [1, -2, 3, -4].map((v) => v * k));
  close(values(out, 'branch/0', 1), [0.5, -0.5].map((v) => v * k));
  assert.equal(out.get('branch/1'), input.get('branch/1'), 'the lagging encoder keeps its gradient');
  assert.equal(out.get('head/0'), input.get('head/0'));
  assert.equal(out.get('fusion/shared'), input.get('fusion/shared'));
  assert.ok(Math.abs(metrics.get('rho/0')! - 2) < 1e-6);
  assert.ok(Math.abs(metrics.get('rho/1')! - 0.5) < 1e-6);
  assert.ok(Math.abs(metrics.get('coeff/0')! - k) < 1e-6);
  assert.equal(metrics.get('coeff/1'), 1);
  disposeAll(input, new Map([['branch/0', out.get('branch/0')!]]));
});

test('eq10 rule, kernels only, inactive epochs and α = 0', () => {
  const input = grads();
  const eq10 = make({ alpha: 0.5, rule: 'eq10', gaussianEnhancement: false, parameters: 'kernels' }).transformGradients(input, ctx().ctx);
  const k = 1 - Math.tanh(1);
  assert.ok(values(eq10, 'branch/0', 0).every((v, i) => Math.abs(v - [1, -2, 3, -4][i]! * k) < 1e-6));
  assert.equal(eq10.get('branch/0')![1], input.get('branch/0')![1], 'a bias is not a kernel');
  eq10.get('branch/0')![0]!.grad.dispose();
  // Epoch 3 outside [1, 2]: nothing changes, k is recorded as 1.
  const late = ctx({ epoch: 3 });
  assert.equal(make({ alpha: 0.5, endEpoch: 2 }).transformGradients(input, late.ctx), input);
  assert.equal(late.values.get('coeff/0'), 1);
  const early = ctx({ epoch: 1 });
  assert.equal(make({ alpha: 0.5, startEpoch: 2 }).transformGradients(input, early.ctx), input);
  // α = 0 and no GE is the identity.
  assert.equal(make({ alpha: 0, gaussianEnhancement: false }).transformGradients(input, ctx().ctx), input);
  disposeAll(input);
});

test('GE adds zero-mean noise with the scaled gradient\'s own spread, to every encoder, reproducibly by seed', () => {
  const n = 20000;
  const g = Array.from({ length: n }, (_, i) => Math.sin(i) * 0.3 + 0.1);
  const make2 = () =>
    new Map<ParamGroupId, ParamGradient[]>([
      ['branch/0', [param('b0/kernel', g, [100, 200])]],
      ['branch/1', [param('b1/kernel', g, [100, 200])]],
    ]);
  const strategy = make({ alpha: 0.5 });
  const input = make2();
  const out = strategy.transformGradients(input, ctx().ctx);
  const k = 1 - Math.tanh(0.5);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const std = (a: number[]) => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / (a.length - 1));
  for (const [group, scale] of [['branch/0', k], ['branch/1', 1]] as const) {
    const scaled = g.map((v) => v * scale);
    const noise = values(out, group).map((v, i) => v - scaled[i]!);
    assert.ok(Math.abs(mean(noise)) < 0.05 * std(scaled), `${group}: noise mean ${mean(noise)}`);
    assert.ok(Math.abs(std(noise) / std(scaled) - 1) < 0.05, `${group}: noise std ${std(noise)} vs gradient std ${std(scaled)}`);
  }
  // The same strategy stream state gives the same noise; another seed gives other noise.
  const again = strategy.transformGradients(input, ctx().ctx);
  assert.deepEqual(values(again, 'branch/0'), values(out, 'branch/0'));
  const other = strategy.transformGradients(input, ctx({ rng: Rng.fromSeed(8, 'strategy') }).ctx);
  assert.notDeepEqual(values(other, 'branch/0'), values(out, 'branch/0'));
  disposeAll(input, out, again, other);
});

test('transformGradients leaks no tensors beyond the ones it returns', () => {
  const input = grads();
  const strategy = make();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 10; i++) {
    const out = strategy.transformGradients(input, ctx().ctx);
    for (const [group, ps] of out) if (out.get(group) !== input.get(group)) for (const p of ps) p.grad.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  disposeAll(input);
});

test('epoch metrics: the mean ρ and k over the epoch\'s steps, restored with the state', () => {
  const input = grads();
  const strategy = make({ alpha: 0.5, gaussianEnhancement: false });
  const epoch = recorder();
  const epochCtx = { ...ctx().ctx, metrics: epoch.metrics } as unknown as EpochContext;
  strategy.onEpochBegin(epochCtx);
  const k = 1 - Math.tanh(0.5);
  // Step 1: ρ = (2, 0.5), k = (k, 1). Step 2 (the heads swapped): ρ = (0.5, 2), k = (1, k).
  const out1 = strategy.transformGradients(input, ctx().ctx);
  const swapped = { ...batch, headProbs: [batch.headProbs[1]!, batch.headProbs[0]!] };
  const resumed = make({ alpha: 0.5, gaussianEnhancement: false });
  resumed.loadStateDict(JSON.parse(JSON.stringify(strategy.stateDict())));
  const out2 = resumed.transformGradients(input, ctx({ batch: swapped }).ctx);
  resumed.onEpochEnd(epochCtx);
  for (const m of [0, 1]) {
    assert.ok(Math.abs(epoch.values.get(`meanCoeff/${m}`)! - (k + 1) / 2) < 1e-6);
    assert.ok(Math.abs(epoch.values.get(`meanRho/${m}`)! - 1.25) < 1e-6);
  }
  assert.throws(() => resumed.loadStateDict({ steps: 1 }), (err: { code: string }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH');
  tf.dispose([out1.get('branch/0')!.map((p) => p.grad), out2.get('branch/1')!.map((p) => p.grad)].flat());
  disposeAll(input);
});

test('create rejects endEpoch < startEpoch and a single modality', () => {
  assert.throws(
    () => make({ startEpoch: 3, endEpoch: 2 }),
    (err: { code: string; data: { issues: { pointer: string }[] } }) =>
      err.code === 'UNG_ERR_CONFIG_INVALID' && err.data.issues[0]!.pointer === '/strategy/options/endEpoch',
  );
  assert.throws(() => make({}, 1), (err: { code: string }) => err.code === 'UNG_ERR_MODEL_MISMATCH');
});

test('integration: in a real tiny run OGM-GE changes the dominant encoder\'s update and only that one', async () => {
  const vanillaLike: StrategyContribution = { meta: ogmGe.meta, create: () => ({ evaluationMode: 'regular' }) };
  // Every encoder weight at the second step's backward: the weights after the first optimizer step.
  const branches = (g: ParamGroupId) => g.startsWith('branch/');
  const spied = { vanilla: weightsAtStep(1, branches), ogm: weightsAtStep(1, branches), off: weightsAtStep(1, branches) };
  const after = { vanilla: spied.vanilla.seen, ogm: spied.ogm.seen, off: spied.off.seen };
  const spy = definePlugin({
    meta: { name: 'ogm-ge-spy', version: '0.0.0', namespace: 'spy', coreApi: '^2.0.0' },
    strategies: { 'spy-vanilla': vanillaLike, 'spy-ogm': ogmGe as StrategyContribution, 'spy-off': ogmGe as StrategyContribution },
  });
  // Late fusion (no fusion block), each head trained by its own CE. OGM-GE's own setting (model.fused 'sum',
  // train.loss 'fused') waits for core's model options. The tiny dataset's modality 1 is the easy one.
  const common = { seed: 3, model: { fusion: { use: 'late', options: {}, after: [] } }, train: { epochs: 1 } };
  const runs = [
    await trainTiny({ plugins: [spy], config: { ...common, strategy: { use: 'spy-vanilla', options: {} } }, observers: [spied.vanilla.observer] }),
    await trainTiny({ plugins: [spy], config: { ...common, strategy: { use: 'spy-ogm', options: { alpha: 2, gaussianEnhancement: false } } }, observers: [spied.ogm.observer] }),
    await trainTiny({ plugins: [spy], config: { ...common, strategy: { use: 'spy-off', options: { alpha: 0, gaussianEnhancement: false } } }, observers: [spied.off.observer] }),
  ];
  try {
    for (const r of runs) assert.equal(r.summary.status, 'completed', JSON.stringify(r.summary.error));
    const first = runs[1]!.steps[0]!.strategy ?? {};
    const coeff = [stepMetric(runs[1]!.steps, 'coeff/0')[0], stepMetric(runs[1]!.steps, 'coeff/1')[0]];
    const dominant = coeff[0]! < 1 ? 0 : 1;
    assert.ok(coeff[dominant]! < 1 && coeff[1 - dominant] === 1, `step 0 must modulate one modality: ${JSON.stringify(first)}`);
    const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => v !== b[i]);
    let dominantChanged = 0;
    for (const [name, w] of after.vanilla) {
      const k = Number(/^branch\/(\d+)\|/.exec(name)?.[1] ?? Number.NaN);
      assert.ok(!differs(after.off.get(name)!, w), `α = 0 must leave ${name} as vanilla training does`);
      if (k === dominant) dominantChanged += differs(after.ogm.get(name)!, w) ? 1 : 0;
      else assert.ok(!differs(after.ogm.get(name)!, w), `the lagging encoder's ${name} must be updated as in vanilla`);
    }
    assert.ok(dominantChanged > 0, 'OGM-GE must change the dominant encoder\'s first update');
    // Over the run the easy modality (1) is the one slowed down most of the time.
    const slowed = stepMetric(runs[1]!.steps, 'coeff/1').filter((c) => (c ?? 1) < 1).length;
    assert.ok(slowed > runs[1]!.steps.length / 2, `modality 1 slowed on ${slowed} of ${runs[1]!.steps.length} steps`);
  } finally {
    for (const r of runs) rmSync(r.dir, { recursive: true, force: true });
  }
});
