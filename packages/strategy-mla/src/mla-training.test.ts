import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { isUngreedyError } from '@ungreedy/core';
import type { JsonObject } from '@ungreedy/core';
import { stepMetric, trainTiny, weightNormRecorder } from '@ungreedy/core/testing';
import type { TinyRun } from '@ungreedy/core/testing';
import { CORE_API_VERSION, definePlugin } from '@ungreedy/core';
import manifest from './index.js';

// The package's manifest under the installed core's API range: this test is about the strategy; the manifest
// (with its coreApi) is checked by conformance.test.ts.
const plugin = definePlugin({ ...manifest, meta: { ...manifest.meta, coreApi: `^${CORE_API_VERSION}` } });

// The paper's setting: late fusion, one head shared by both modalities (equal feature sizes).
const experiment: JsonObject = {
  dataset: { options: { sizes: { train: 96, val: 16, test: 48 } } },
  model: { fusion: { use: 'late', after: [] }, heads: 'shared' },
  // Momentum: an encoder that a step left out would still move if it were handed to the optimizer.
  train: { epochs: 3, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false } },
};

const metric = (run: TinyRun, name: string): (number | undefined)[] => stepMetric(run.steps, name);

test('steps alternate between the modalities; a step never updates the other modality\'s encoder', async () => {
  const rec = weightNormRecorder();
  const run = await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'mla' } }, observers: [rec.observer] });
  try {
    const l0 = metric(run, 'loss/0');
    const l1 = metric(run, 'loss/1');
    run.steps.forEach((s, i) => {
      assert.equal(l0[i] !== undefined, s.step % 2 === 0, `step ${s.step}: loss/0`);
      assert.equal(l1[i] !== undefined, s.step % 2 === 1, `step ${s.step}: loss/1`);
    });
    for (let t = 0; t + 1 < rec.seen.length; t += 1) {
      const k = t % 2;
      const changed = [...rec.seen[t]!.weights].filter(([g, w]) => rec.seen[t + 1]!.weights.get(g) !== w).map(([g]) => g).sort();
      assert.deepEqual(changed, [`branch/${k}`, 'head/shared'], `step ${t}`);
    }
    // The projection removes part of the head's gradient from the second update on.
    const kept = metric(run, 'headGradKept').filter((v): v is number => v !== undefined);
    assert.ok(kept.length > 0 && kept.every((v) => v < 1), JSON.stringify(kept));
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
});

test('the gradient modification and the entropy fusion each change the run', async () => {
  const runs = [
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'mla' } } }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'mla', options: { gradientModification: false } } } }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'mla', options: { fusion: 'mean' } } } }),
  ];
  try {
    const [full, plain, mean] = runs as [TinyRun, TinyRun, TinyRun];
    assert.notDeepEqual(plain.steps.map((s) => s.loss), full.steps.map((s) => s.loss));
    // Same training (fusion is not in the loss), different predictions.
    assert.deepEqual(mean.steps.map((s) => s.loss), full.steps.map((s) => s.loss));
    assert.notDeepEqual(mean.epochs.map((e) => JSON.stringify(e)), full.epochs.map((e) => JSON.stringify(e)));
  } finally {
    for (const run of runs) rmSync(run.dir, { recursive: true, force: true });
  }
});

test('a model with separate heads is refused with UNG_ERR_MODEL_MISMATCH at /model/heads', async () => {
  await assert.rejects(
    // No `heads`: core's default, one head per modality.
    trainTiny({ plugins: [plugin], config: { ...experiment, model: { fusion: { use: 'late', after: [] } }, strategy: { use: 'mla' } } }),
    (err: unknown) => {
      const e = [err, (err as { cause?: unknown }).cause].find((x) => isUngreedyError(x, 'UNG_ERR_MODEL_MISMATCH'));
      assert.ok(e && isUngreedyError(e), `expected UNG_ERR_MODEL_MISMATCH, but got ${String(err)}`);
      assert.equal(e.data['pointer'], '/model/heads');
      return true;
    },
  );
});
