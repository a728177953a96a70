import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochRecord, StepRecord } from '../run/metric-records.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { tinyConfig, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

/**
 * The default training path must stay bit for bit what it was before the v2 hooks (docs/hooks.md): these numbers
 * were produced by core before transformGradients, lossTerms, fuseLogits and the model options existed (commit
 * 4db5d74, wasm backend, the tiny MMTM run of `tinyConfig`), and are compared with `===` on the float64 values
 * that metrics.jsonl keeps.
 */
const PINNED = {
  stepLosses: [2.2808480262756348, 2.488400459289551, 2.1515541076660156, 2.2673232555389404, 2.164485454559326, 2.193708896636963],
  epochTrainLoss: [2.3380102157592773, 2.211465263366699],
  epochValAcc: [33.333333333333336, 66.66666666666667],
};

test('a tiny seeded vanilla run (MMTM, SGD with momentum) gives the pinned step losses and epoch metrics', async (t) => {
  if (process.env['UNGREEDY_TEST_BACKEND'] && process.env['UNGREEDY_TEST_BACKEND'] !== 'wasm') {
    t.skip('the pinned numbers are the wasm backend\'s');
    return;
  }
  const o = tinyRun(tinyConfig({ train: { epochs: 2 } }));
  await trainExperiment(o);
  const records = o.store.readMetrics();
  const steps = records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);
  const epochs = records.filter((r): r is EpochRecord => r.type === 'epoch');
  const got = { stepLosses: steps, epochTrainLoss: epochs.map((e) => e.train.loss), epochValAcc: epochs.map((e) => e.val?.acc ?? -1) };
  if (process.env['UNGREEDY_PIN_PRINT']) console.log(JSON.stringify(got));
  assert.deepEqual(got, PINNED);
});
