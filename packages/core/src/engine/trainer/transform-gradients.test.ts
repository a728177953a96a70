import { before, test } from 'node:test';
import assert from 'node:assert/strict';
// The strategy below uses contract names only (what `@ungreedy/core`'s index re-exports: definePlugin, tf and the
// strategy types), imported from their modules so this test does not load the config validator.
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { BalancingStrategy, GradientsByGroup, ParamGradient, StepContext } from '../../contract/strategy/balancing-strategy.js';
import { builtinPlugin } from '../assembly/builtins.js';
import { vanilla } from '../strategy/vanilla.js';
import type { StepRecord } from '../run/metric-records.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

const LR = 0.1;
const K = 0.25;

interface Seen {
  readonly step: number;
  readonly group: string;
  readonly name: string;
  readonly grad: Float32Array;
  readonly weight: Float32Array;
}

/**
 * OGM-GE's core move (Peng et al., CVPR 2022: scale the dominant encoder's gradients by k) written as an outside
 * strategy: branch/0's gradients times K, `drop` groups left out of the result, everything else passed through.
 * It keeps a host copy of every gradient and weight it saw, so the test can compute the optimizer's update by hand.
 */
function ogmLike(seen: Seen[], gradSq: Map<number, Record<string, number>>, drop: readonly string[]): StrategyContribution {
  return {
    meta: vanilla.meta,
    create: () => {
      const s: BalancingStrategy = {
        evaluationMode: 'regular',
        transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
          const sums: Record<string, number> = {};
          for (const [group, list] of grads) {
            sums[group] = list.reduce((a, p) => a + Array.from(p.grad.dataSync()).reduce((x, v) => x + v * v, 0), 0);
            for (const p of list) {
              assert.deepEqual([...p.grad.shape], [...p.shape]);
              assert.deepEqual([...p.weight.shape], [...p.shape]);
              seen.push({ step: ctx.step, group, name: p.name, grad: p.grad.dataSync() as Float32Array, weight: p.weight.dataSync() as Float32Array });
            }
          }
          gradSq.set(ctx.step, sums);
          ctx.metrics.record('k', K);
          const out = new Map<typeof grads extends ReadonlyMap<infer G, unknown> ? G : never, readonly ParamGradient[]>();
          for (const [group, list] of grads) {
            if (drop.includes(group)) continue;
            out.set(group, group === 'branch/0' ? list.map((p) => ({ ...p, grad: tf.mul(p.grad, K) })) : list);
          }
          return out;
        },
      };
      return s;
    },
  };
}

async function run(drop: readonly string[] = []) {
  const seen: Seen[] = [];
  const gradSq = new Map<number, Record<string, number>>();
  const registry = testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({
      meta: { name: 'ungreedy-test-ogm', version: '1.0.0', namespace: 'ogm', coreApi: '^2.0.0' },
      strategies: { 'ogm-like': ogmLike(seen, gradSq, drop) },
    }),
  );
  const config = tinyConfig({
    strategy: { use: 'ogm-like', options: {} },
    dataset: { use: 'tiny', options: { sizes: { train: 24, val: 4, test: 4 } } },
    train: { epochs: 1, batchSize: 8, optimizer: { type: 'sgd', lr: LR, momentum: 0, weightDecay: 0, nesterov: false } },
  });
  const o = tinyRun(config, { registry });
  const before = tf.memory().numTensors;
  await trainExperiment(o);
  return { seen, gradSq, records: o.store.readMetrics(), leaked: tf.memory().numTensors - before };
}

test('OGM-GE through the contract alone: the optimizer applies exactly k·g to branch/0 and g elsewhere (SGD, hand numbers)', async () => {
  const { seen, records } = await run();
  const steps = [...new Set(seen.map((s) => s.step))];
  assert.deepEqual(steps, [0, 1, 2]);
  let checked = 0;
  for (const prev of seen.filter((s) => s.step < 2)) {
    const next = seen.find((s) => s.step === prev.step + 1 && s.name === prev.name)!;
    const scale = prev.group === 'branch/0' ? K : 1;
    for (let i = 0; i < prev.weight.length; i++) {
      // torch.optim.SGD without momentum or decay, in float32: θ ← θ − lr·(k·g).
      const want = Math.fround(prev.weight[i]! - Math.fround(LR * Math.fround(scale * prev.grad[i]!)));
      assert.ok(Math.abs(next.weight[i]! - want) <= 1e-7 * Math.max(1, Math.abs(want)), `${prev.name}[${i}] at step ${prev.step}: ${next.weight[i]} vs ${want}`);
      checked++;
    }
  }
  assert.ok(checked > 50);
  assert.ok(seen.some((s) => s.group === 'branch/0') && seen.some((s) => s.group.startsWith('fusion/')), 'MMTM and branch groups are present');
  const stepRecords = records.filter((r): r is StepRecord => r.type === 'step');
  assert.deepEqual(stepRecords.map((r) => r.strategy), [0, 1, 2].map(() => ({ 'ogm/ogm-like/k': K })));
});

test('the learning-speed probe sees the unmodified gradients; a dropped group is not updated; no tensor leaks', async () => {
  const { seen, gradSq, records, leaked } = await run(['head/1']);
  // The probe's μ_main of modality 0 at step 0 uses Σ||g||² of branch/0 + head/0 before the transform.
  const step0 = records.find((r): r is StepRecord => r.type === 'step' && r.step === 0)!;
  const sums = gradSq.get(0)!;
  const w0 = seen.filter((s) => s.step === 0 && (s.group === 'branch/0' || s.group === 'head/0'));
  const weightSq = w0.reduce((a, s) => a + Array.from(s.weight).reduce((x, v) => x + v * v, 0), 0);
  const mu = (sums['branch/0']! + sums['head/0']!) / weightSq;
  assert.ok(Math.abs(step0.mu.main[0]! - mu) <= 1e-4 * mu, `probe μ ${step0.mu.main[0]} vs unmodified ${mu}`);
  for (const s of seen.filter((x) => x.group === 'head/1' && x.step < 2)) {
    const next = seen.find((x) => x.step === s.step + 1 && x.name === s.name)!;
    assert.deepEqual(Array.from(next.weight), Array.from(s.weight), `${s.name} was updated although it was dropped`);
  }
  assert.equal(leaked, 0);
});

test('transformGradients returning a wrong shape or an unknown group fails as UNG_ERR_HOOK_FAILED', async () => {
  const bad = (make: (grads: GradientsByGroup) => GradientsByGroup): StrategyContribution => ({
    meta: vanilla.meta,
    create: () => ({ evaluationMode: 'regular', transformGradients: (g: GradientsByGroup) => make(g) }),
  });
  for (const make of [
    (g: GradientsByGroup) => new Map([...g].map(([k, l]) => [k, l.map((p) => ({ ...p, grad: tf.reshape(p.grad, [-1]) }))])),
    (g: GradientsByGroup) => new Map([...g, ['head/fused' as const, g.get('head/0')!]]),
  ]) {
    const registry = testRegistry(
      builtinPlugin,
      tinyPlugin,
      definePlugin({ meta: { name: 'ungreedy-test-bad', version: '1.0.0', namespace: 'bad', coreApi: '^2.0.0' }, strategies: { bad: bad(make) } }),
    );
    const config = tinyConfig({ strategy: { use: 'bad', options: {} }, train: { epochs: 1 } });
    await assert.rejects(trainExperiment(tinyRun(config, { registry })), (e: unknown) => (e as { code?: string }).code === 'UNG_ERR_HOOK_FAILED' || String((e as Error).cause ?? '').includes('transformGradients'));
  }
});
