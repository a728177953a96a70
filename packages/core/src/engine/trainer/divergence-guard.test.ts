import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { tempDir } from '../../testing/temp-dir.js';
import { trainTiny } from '../../testing/train-tiny.js';

const blowUp = { train: { epochs: 2, optimizer: { type: 'sgd', lr: 1000, momentum: 0, weightDecay: 0, nesterov: false } } };

test('a finite loss blow-up (SGD at a huge learning rate) fails the run with UNG_ERR_RUN_DIVERGED, like a NaN', async () => {
  await assert.rejects(
    trainTiny({ dir: tempDir('diverge'), config: { ...blowUp, train: { ...blowUp.train, divergence: { factor: 5, patience: 2 } } } }),
    (err: unknown) => {
      assert.ok(isUngreedyError(err, 'UNG_ERR_RUN_DIVERGED'), String(err));
      const data = err.data as { loss: string; steps: number; startLoss: number };
      assert.ok(Number.isFinite(Number(data.loss)), `finite loss ${data.loss}`);
      assert.equal(data.steps, 2);
      assert.ok(Number(data.loss) > 5 * data.startLoss);
      assert.doesNotMatch(err.message, /checkpoint before the blow-up is kept/, 'no checkpoint exists yet in epoch 1');
      return true;
    },
  );
});

test('the guard can be turned off, and a healthy run never trips it', async () => {
  const healthy = await trainTiny({ dir: tempDir('diverge'), config: { train: { divergence: { factor: 1.5, patience: 3 } } } });
  assert.equal(healthy.summary.status, 'completed');
  const off = await trainTiny({ dir: tempDir('diverge'), config: { ...blowUp, train: { ...blowUp.train, divergence: { enabled: false, factor: 5, patience: 2 } } } }).catch((err: unknown) => err);
  // Without the guard the blow-up runs on (or ends in a NaN, which always fails).
  if (isUngreedyError(off)) assert.equal((off.data as { steps?: number }).steps, undefined);
  else assert.equal((off as { summary: { status: string } }).summary.status, 'completed');
});
