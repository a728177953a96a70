import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { JsonObject } from '@ungreedy/core';
import { stepMetric, trainTiny, weightNormRecorder } from '@ungreedy/core/testing';
import type { TinyRun } from '@ungreedy/core/testing';
import { CORE_API_VERSION, definePlugin } from '@ungreedy/core';
import manifest from './index.js';

// The package's manifest under the installed core's API range: this test is about the strategy; the manifest
// (with its coreApi) is checked by conformance.test.ts.
const plugin = definePlugin({ ...manifest, meta: { ...manifest.meta, coreApi: `^${CORE_API_VERSION}` } });

// The tiny dataset: modality 1 is easy (strong signal, little noise), modality 0 hard. Late fusion (no fusion
// block), the paper's setting; the loss is core's default Σ_k CE(head_k).
const experiment: JsonObject = {
  dataset: { options: { sizes: { train: 96, val: 16, test: 48 } } },
  model: { fusion: { use: 'late', after: [] } },
  train: { epochs: 3, batchSize: 16 },
};

const metric = (run: TinyRun, name: string): number[] => stepMetric(run.steps, name).filter((v): v is number => v !== undefined);

test('α = 0 trains exactly like vanilla; α = 1 changes only the encoders\' first update, by κ', async () => {
  const v = weightNormRecorder();
  const off = weightNormRecorder();
  const on = weightNormRecorder();
  const runs = [
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'vanilla' } }, observers: [v.observer] }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'agm', options: { alpha: 0 } } }, observers: [off.observer] }),
    await trainTiny({ plugins: [plugin], config: { ...experiment, strategy: { use: 'agm', options: { alpha: 1 } } }, observers: [on.observer] }),
  ];
  try {
    const [vanilla, agmOff, agmOn] = runs as [TinyRun, TinyRun, TinyRun];
    // The masked passes change nothing by themselves (no BN statistics, no randomness).
    assert.deepEqual(agmOff.steps.map((s) => s.loss), vanilla.steps.map((s) => s.loss));
    assert.notDeepEqual(agmOn.steps.map((s) => s.loss), vanilla.steps.map((s) => s.loss));
    // After the first optimizer step, the heads are where vanilla's are (same gradient, not modulated), the
    // encoders are not (their gradient was scaled by κ ≠ 1).
    const changed = [...v.seen[1]!.weights].filter(([g, w]) => on.seen[1]!.weights.get(g) !== w).map(([g]) => g).sort();
    assert.deepEqual(changed, ['branch/0', 'branch/1']);
    // The scores name the easy modality 1 as the stronger one: r_1 > 1 > r_0 on average.
    const r0 = mean(metric(agmOn, 'ratio/0'));
    const r1 = mean(metric(agmOn, 'ratio/1'));
    assert.ok(r1 > 1 && r0 < 1, `expected ratio/1 > 1 > ratio/0, but got ${r1} and ${r0}`);
    const coefs = metric(agmOn, 'coef/0');
    assert.equal(coefs.length, agmOn.steps.length, 'every step records κ');
    assert.ok(coefs.some((c) => Math.abs(c - 1) > 1e-3), 'κ must move away from 1');
  } finally {
    for (const run of runs) rmSync(run.dir, { recursive: true, force: true });
  }
});

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
