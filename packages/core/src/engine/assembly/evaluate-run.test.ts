import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPlugin } from './builtins.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { UtilizationRecord } from '../run/metric-records.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { silentLog, tempStore, testRegistry, tinyConfig, tinyPlugin, tinyRun } from '../trainer/fixtures/experiment.js';
import { evaluateRun } from './evaluate-run.js';
import { trainExperiment } from './train-experiment.js';

before(setupTestBackend);

const registry = () => testRegistry(builtinPlugin, tinyPlugin);

test('evaluateRun rebuilds the model from the run folder and reproduces the end-of-run utilization', async () => {
  const o = tinyRun(tinyConfig({ train: { epochs: 2 } }), { registry: registry() });
  const summary = await trainExperiment(o);
  const record = await evaluateRun({ runDir: o.store.dir, registry: registry(), log: silentLog, checkpoint: 'best' });
  assert.deepEqual(record, summary.utilization);
  const records = o.store.readMetrics().filter((r): r is UtilizationRecord => r.type === 'utilization');
  assert.equal(records.length, 2);
  const last = await evaluateRun({ runDir: o.store.dir, registry: registry(), log: silentLog, checkpoint: 'last' });
  assert.equal(last.checkpoint, 'last');
  assert.equal(last.epoch, 2);
});

test('evaluateRun refuses a folder that is not a run and a model without fusion blocks', async () => {
  await assert.rejects(
    evaluateRun({ runDir: tempStore().dir, registry: registry(), log: silentLog, checkpoint: 'best' }),
    (err) => isUngreedyError(err, 'UNG_ERR_RUN_NOT_FOUND'),
  );
  const uni = tinyRun(tinyConfig({ model: { modalities: [0] }, train: { epochs: 1 } }), { registry: registry() });
  await trainExperiment(uni);
  await assert.rejects(
    evaluateRun({ runDir: uni.store.dir, registry: registry(), log: silentLog, checkpoint: 'last' }),
    (err) => isUngreedyError(err, 'UNG_ERR_MODEL_MISMATCH') && err.data['fusionPoints'] === 0,
  );
});
