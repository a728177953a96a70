import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { JsonObject } from '@ungreedy/core';
import { stepMetric, trainTiny } from '@ungreedy/core/testing';
import type { TinyRun } from '@ungreedy/core/testing';
import { CORE_API_VERSION, definePlugin } from '@ungreedy/core';
import manifest from './index.js';

// The package's manifest under the installed core's API range: this test is about the strategy; the manifest
// (with its coreApi) is checked by conformance.test.ts.
const plugin = definePlugin({ ...manifest, meta: { ...manifest.meta, coreApi: `^${CORE_API_VERSION}` } });

// The tiny dataset: modality 1 easy, modality 0 hard. Late fusion (no fusion block), the paper's setting; the
// loss is core's default Σ_k CE(head_k).
const experiment: JsonObject = {
  dataset: { options: { sizes: { train: 96, val: 16, test: 48 } } },
  model: { fusion: { use: 'late', after: [] } },
  train: { epochs: 3, batchSize: 16 },
};

const metric = (run: TinyRun, name: string): number[] => stepMetric(run.steps, name).filter((v): v is number => v !== undefined);

test('α = 0 trains exactly like vanilla; α = 1 adds the hard modality\'s prototype loss and changes training', async () => {
  const runs = [
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'vanilla' } } }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'pmr', options: { alpha: 0 } } } }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'pmr', options: { alpha: 1 } } } }),
  ];
  try {
    const [vanilla, off, on] = runs as [TinyRun, TinyRun, TinyRun];
    // The prototype pass at each epoch begin changes nothing by itself (inference mode, no randomness drawn).
    assert.deepEqual(off.steps.map((s) => s.loss), vanilla.steps.map((s) => s.loss));
    assert.notDeepEqual(on.steps.map((s) => s.loss), vanilla.steps.map((s) => s.loss));
    // Every step records the imbalance ratio; the hard modality 0 clusters worse (ρ = s_0 / s_1 < 1 on average)
    // and is the one that gets the prototype loss.
    const ratio = metric(on, 'ratio');
    assert.equal(ratio.length, on.steps.length);
    assert.ok(mean(ratio) < 1, `expected ρ < 1 on average, but got ${mean(ratio)}`);
    assert.ok(mean(metric(on, 'beta/0')) > mean(metric(on, 'beta/1')), JSON.stringify([metric(on, 'beta/0'), metric(on, 'beta/1')]));
    assert.ok(metric(on, 'beta/0').some((b) => b > 0));
  } finally {
    for (const run of runs) rmSync(run.dir, { recursive: true, force: true });
  }
});

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
