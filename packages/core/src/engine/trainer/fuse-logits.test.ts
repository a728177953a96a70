import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { builtinPlugin } from '../assembly/builtins.js';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { EpochRecord } from '../run/metric-records.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';
import { vanilla } from '../strategy/vanilla.js';
import { HookRecorder } from '../../testing/hook-recorder.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

function registryWith(make: () => BalancingStrategy) {
  const contribution: StrategyContribution = { meta: vanilla.meta, create: () => make() };
  return testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({ meta: { name: 'ungreedy-test-fuse', version: '1.0.0', namespace: 'f', coreApi: '^2.0.0' }, strategies: { s: contribution } }),
  );
}

test('fuseLogits decides the fused prediction in training, validation, test and utilization passes', async () => {
  const recorder = new HookRecorder();
  // "Trust modality 1 only": the fused prediction is head 1's, so every fused accuracy equals head 1's.
  const registry = registryWith(() => recorder.wrap({ evaluationMode: 'regular', fuseLogits: (heads) => tf.clone(heads[1]!) }));
  const o = tinyRun(tinyConfig({ strategy: { use: 's', options: {} }, train: { epochs: 2 } }), { registry });
  const summary = await trainExperiment(o);
  const epochs = o.store.readMetrics().filter((r): r is EpochRecord => r.type === 'epoch');
  for (const e of epochs) {
    assert.equal(e.train.acc, e.train.accHeads[1]);
    assert.equal(e.val!.acc, e.val!.accHeads[1]);
    assert.equal(e.test!.acc, e.test!.accHeads[1]);
  }
  assert.equal(summary.test!.acc, summary.test!.accHeads[1]);
  assert.equal(summary.utilization!.acc, summary.utilization!.accHeads[1]);
  assert.ok(recorder.fuseCalls['train']! > 0 && recorder.fuseCalls['val']! > 0 && recorder.fuseCalls['test']! > 0);
  assert.ok(recorder.fuseCalls['other']! > 0, 'the utilization recording pass over the training split');
  // fuseLogits is outside the step order: the step/epoch call list is unchanged by it.
  assert.deepEqual(recorder.orderProblems(), []);
});

test('fuseLogits returning the wrong shape fails as UNG_ERR_HOOK_FAILED', async () => {
  const registry = registryWith(() => ({ evaluationMode: 'regular', fuseLogits: (heads) => tf.concat([heads[0]!, heads[1]!], 1) }));
  await assert.rejects(
    trainExperiment(tinyRun(tinyConfig({ strategy: { use: 's', options: {} }, train: { epochs: 1 } }), { registry })),
    (e: unknown) => (e as { code?: string }).code === 'UNG_ERR_HOOK_FAILED',
  );
});
