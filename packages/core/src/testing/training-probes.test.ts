import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { StepRecord } from '../engine/run/metric-records.js';
import { setupTestBackend } from './test-backend.js';
import { stepMetric, weightNormRecorder, weightsAtStep } from './training-probes.js';
import { trainTiny } from './train-tiny.js';

before(setupTestBackend);

test('stepMetric reads a strategy metric by the name the strategy recorded, undefined where a step has none', () => {
  const steps = [{ strategy: { 'ns/id/score/0': 1, 'ns/id/0': 9 } }, {}, { strategy: { 'ns/id/score/0': 3 } }] as unknown as StepRecord[];
  assert.deepEqual(stepMetric(steps, 'score/0'), [1, undefined, 3]);
  assert.deepEqual(stepMetric(steps, '0'), [9, undefined, undefined]);
});

test('weightNormRecorder sees every step before its update; weightsAtStep copies the weights of one step', async () => {
  const norms = weightNormRecorder();
  const at1 = weightsAtStep(1, (g) => g.startsWith('head/'));
  const run = await trainTiny({ config: { train: { epochs: 1 } }, observers: [norms.observer, at1.observer] });
  try {
    assert.equal(norms.seen.length, run.steps.length);
    assert.ok(norms.seen.every((s) => s.mode === 'regular' && s.weights.has('branch/0')));
    // Vanilla updates every group each step: consecutive norms differ.
    assert.notEqual(norms.seen[0]!.weights.get('head/0'), norms.seen[1]!.weights.get('head/0'));
    const names = [...at1.seen.keys()];
    assert.ok(names.length > 0 && names.every((n) => n.startsWith('head/')), names.join(' '));
    // The copies are the weights the norms were taken of at the same step.
    const sq = [...at1.seen].filter(([n]) => n.startsWith('head/0|')).reduce((a, [, w]) => a + w.reduce((b, v) => b + v * v, 0), 0);
    const norm = norms.seen[1]!.weights.get('head/0')!;
    assert.ok(Math.abs(sq - norm) <= 1e-4 * norm, `${sq} vs ${norm}`);
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
});
