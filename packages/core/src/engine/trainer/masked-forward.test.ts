import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { builtinPlugin } from '../assembly/builtins.js';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { MetricRecord } from '../run/metric-records.js';
import type { BalancingStrategy, GradientsByGroup } from '../../contract/strategy/balancing-strategy.js';
import { vanilla } from '../strategy/vanilla.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

function registryWith(make: () => BalancingStrategy) {
  const contribution: StrategyContribution = { meta: vanilla.meta, create: () => make() };
  return testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({ meta: { name: 'ungreedy-test-masked', version: '1.0.0', namespace: 'm', coreApi: '^2.0.0' }, strategies: { s: contribution } }),
  );
}

/** Step losses and epoch metrics, without timings. */
function comparable(records: readonly MetricRecord[]): unknown[] {
  return records.flatMap((r): unknown[] =>
    r.type === 'step' ? [{ step: r.step, loss: r.loss, mu: r.mu }] : r.type === 'epoch' ? [{ train: r.train, val: r.val, test: r.test }] : [],
  );
}

async function runWith(config: ExperimentConfig, make?: () => BalancingStrategy) {
  const o = tinyRun(make ? { ...config, strategy: { use: 's', options: {} } } : config, make ? { registry: registryWith(make) } : {});
  await trainExperiment(o);
  return comparable(o.store.readMetrics());
}

const rows = (t: tf.Tensor2D): string[] => (t.arraySync() as number[][]).map((r) => r.map((v) => v.toFixed(5)).join(','));

test('forwardMasked: zeros / train-mean give one output row for every sample, permute reorders rows; no statistics or run state change', async () => {
  const seen: string[] = [];
  const config = tinyConfig({ train: { epochs: 2 } });
  // Re-balancing steps read MMTM's running means, which every training forward updates: a masked pass that
  // changed them would change later losses.
  const chooseForwardMode = (ctx: { step: number }) => (ctx.step % 2 === 1 ? { kind: 'rebalance', modality: 0 } : { kind: 'regular' });
  const masked = await runWith(config, () => ({
    evaluationMode: 'regular',
    chooseForwardMode,
    wrapLoss: (input) => {
      const full = new Set(rows(input.heads[1]!));
      for (const fill of ['zeros', 'train-mean'] as const) {
        // Under MMTM each branch sees both modalities: masking both makes every sample's input the same.
        const out = input.forwardMasked({ modalities: [0, 1], fill });
        assert.equal(new Set(rows(out.fused)).size, 1, `${fill}: both modalities masked give one output row`);
        const one = input.forwardMasked({ modalities: [1], fill });
        assert.ok(new Set(rows(one.fused)).size > 1, `${fill}: modality 0 still varies`);
        assert.deepEqual([...out.fused.shape], [...input.fused.shape]);
      }
      const perm = input.forwardMasked({ modalities: [0, 1], fill: 'permute' });
      // Permuting both modalities with the same permutation permutes whole samples: same rows, other order.
      assert.deepEqual(new Set(rows(perm.heads[1]!)), full);
      seen.push('ok');
      return input.baseLoss;
    },
  }));
  assert.ok(seen.length > 0);
  // MMTM keeps running means in training: masked passes must leave them (and everything else) untouched.
  assert.deepEqual(masked, await runWith(config, () => ({ evaluationMode: 'regular', chooseForwardMode })));
});

test('forwardMasked with a bad mask fails the step as UNG_ERR_HOOK_FAILED', async () => {
  const config = tinyConfig({ train: { epochs: 1 } });
  await assert.rejects(
    runWith(config, () => ({ evaluationMode: 'regular', wrapLoss: (input) => (input.forwardMasked({ modalities: [5], fill: 'zeros' }), input.baseLoss) })),
    (e: unknown) => (e as { code?: string }).code === 'UNG_ERR_HOOK_FAILED',
  );
});

test('lossTerms: each term\'s gradients arrive in ctx.gradientSets; they add up to the base loss\'s; training is unchanged', async () => {
  const config = tinyConfig({ train: { epochs: 1 }, model: { fusion: { use: 'late', options: {}, after: [] } } });
  let checked = 0;
  const sumSq = (g: GradientsByGroup, group: string): number =>
    (g.get(group as never) ?? []).reduce((a, p) => a + tf.tidy(() => tf.sum(tf.square(p.grad)).dataSync()[0]!), 0);
  const withTerms = await runWith(config, () => ({
    evaluationMode: 'regular',
    lossTerms: (input) => ({ m0: input.crossEntropy(input.heads[0]!), m1: input.crossEntropy(input.heads[1]!) }),
    transformGradients: (grads, ctx) => {
      assert.deepEqual([...ctx.gradientSets.keys()], ['m0', 'm1']);
      const m0 = ctx.gradientSets.get('m0')!;
      const m1 = ctx.gradientSets.get('m1')!;
      assert.ok(sumSq(m0, 'branch/0') > 0 && sumSq(m1, 'branch/1') > 0);
      assert.equal(sumSq(m0, 'branch/1') + sumSq(m0, 'head/1'), 0, 'CE(head 0) does not reach branch 1 under late fusion');
      for (const [group, list] of grads) {
        list.forEach((p, i) => {
          const a = m0.get(group)?.find((q) => q.name === p.name)?.grad;
          const b = m1.get(group)?.find((q) => q.name === p.name)?.grad;
          const diff = tf.tidy(() => {
            const sum = a && b ? tf.add(a, b) : (a ?? b ?? tf.zerosLike(p.grad));
            return tf.max(tf.abs(tf.sub(sum, p.grad))).dataSync()[0]!;
          });
          assert.ok(diff <= 1e-5, `${group}[${i}] ${p.name}: ${diff}`);
        });
      }
      checked++;
      return grads;
    },
  }));
  assert.ok(checked > 0);
  assert.deepEqual(withTerms, await runWith(config));
});
