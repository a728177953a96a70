import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPlugin } from '../assembly/builtins.js';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { EpochRecord } from '../run/metric-records.js';
import type { ValidationResult } from '../../contract/strategy/balancing-strategy.js';
import { vanilla } from '../strategy/vanilla.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

test('onValidationEnd gets per-head and fused loss/acc that agree with the EpochRecord; its metrics land in the epoch record', async () => {
  const results: ValidationResult[] = [];
  const contribution: StrategyContribution = {
    meta: vanilla.meta,
    create: () => ({
      evaluationMode: 'regular',
      onEpochBegin: (ctx) => ctx.metrics.record('begun', ctx.epoch),
      onValidationEnd: (r, ctx) => {
        results.push(r);
        ctx.metrics.record('valHead0Loss', r.val!.heads[0]!.loss);
      },
    }),
  };
  const registry = testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({ meta: { name: 'ungreedy-test-val', version: '1.0.0', namespace: 'val', coreApi: '^2.0.0' }, strategies: { v: contribution } }),
  );
  const o = tinyRun(tinyConfig({ strategy: { use: 'v', options: {} }, train: { epochs: 2 } }), { registry });
  await trainExperiment(o);
  const epochs = o.store.readMetrics().filter((r): r is EpochRecord => r.type === 'epoch');
  assert.deepEqual(results.map((r) => r.epoch), [1, 2]);
  for (const [i, r] of results.entries()) {
    const e = epochs[i]!;
    for (const [split, summary] of [['train', r.train], ['val', r.val!]] as const) {
      const m = e[split]!;
      // The record's loss is Σ_k CE_k; accuracies are the same accumulations.
      const sum = summary.heads.reduce((a, h) => a + h.loss, 0);
      assert.ok(Math.abs(sum - m.loss) <= 1e-5 * Math.abs(m.loss), `${split}: Σ head losses ${sum} vs record loss ${m.loss}`);
      assert.equal(summary.fused.acc, m.acc);
      assert.deepEqual(summary.heads.map((h) => h.acc), m.accHeads);
      assert.ok(summary.fused.loss > 0 && Number.isFinite(summary.fused.loss));
    }
    assert.deepEqual(e.strategy, { 'val/v/begun': i + 1, 'val/v/valHead0Loss': r.val!.heads[0]!.loss });
  }
});

test('a non-finite strategy metric is left out of the record; a value that is not a number fails the hook as UNG_ERR_HOOK_FAILED', async () => {
  const strategy = (value: number): StrategyContribution => ({
    meta: vanilla.meta,
    create: () => ({
      evaluationMode: 'regular',
      onEpochEnd: (ctx) => {
        ctx.metrics.record('bad', value);
        ctx.metrics.record('ok', 1);
      },
    }),
  });
  const registry = testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({
      meta: { name: 'ungreedy-test-nan', version: '1.0.0', namespace: 'nan', coreApi: '^2.0.0' },
      strategies: { n: strategy(Number.NaN), s: strategy('x' as unknown as number) },
    }),
  );
  const o = tinyRun(tinyConfig({ strategy: { use: 'n', options: {} }, train: { epochs: 1 } }), { registry });
  await trainExperiment(o);
  const [epoch] = o.store.readMetrics().filter((r): r is EpochRecord => r.type === 'epoch');
  assert.deepEqual(epoch!.strategy, { 'nan/n/ok': 1 });
  await assert.rejects(
    trainExperiment(tinyRun(tinyConfig({ strategy: { use: 's', options: {} }, train: { epochs: 1 } }), { registry })),
    (e: unknown) => (e as { code?: string }).code === 'UNG_ERR_HOOK_FAILED',
  );
});
