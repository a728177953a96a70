import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../model/build-model.js';
import type { BuildModelOptions } from '../model/multimodal-model.js';
import type { StepRecord } from '../run/metric-records.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { readCheckpointFiles } from './checkpoint.js';
import { tinyConfig, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

/** Trains the tiny run and returns each watched variable's initial and final values, and the step losses. */
async function run(overrides: Parameters<typeof tinyConfig>[0], watch: readonly string[]) {
  const initial = new Map<string, Float32Array>();
  const o = tinyRun(tinyConfig(overrides), {
    buildModel: async (b: BuildModelOptions) => {
      const model = await buildModel(b);
      for (const v of model.variables()) if (watch.includes(v.name)) initial.set(v.name, Float32Array.from(v.variable.dataSync()));
      return model;
    },
  });
  await trainExperiment(o);
  const { tensors } = readCheckpointFiles(o.store.checkpointDir('last'));
  const moved = new Map(watch.map((name) => {
    const last = tensors.get(`model/${name}`);
    assert.ok(last, `checkpoint has model/${name}`);
    return [name, (last.values as Float32Array).some((x, i) => x !== initial.get(name)![i])];
  }));
  const losses = o.store.readMetrics().filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);
  return { moved, losses };
}

test("model.fused 'concat' trains its head/fused classifier under train.loss 'fused', and not the per-modality heads", async () => {
  const watch = ['head.fused.weight', 'head.0.weight', 'head.1.weight'];
  const fused = await run({ model: { fused: 'concat' }, train: { epochs: 1, loss: 'fused' } }, watch);
  assert.equal(fused.moved.get('head.fused.weight'), true);
  assert.equal(fused.moved.get('head.0.weight'), false);
  assert.equal(fused.moved.get('head.1.weight'), false);
  const heads = await run({ model: { fused: 'concat' }, train: { epochs: 1, loss: 'heads' } }, watch);
  assert.equal(heads.moved.get('head.fused.weight'), false);
  assert.equal(heads.moved.get('head.0.weight'), true);
  const both = await run({ model: { fused: 'concat' }, train: { epochs: 1, loss: 'fused+heads' } }, watch);
  assert.equal(both.moved.get('head.fused.weight'), true);
  assert.equal(both.moved.get('head.0.weight'), true);
  // Same initial weights and batches: the first step's loss is the sum of the other two options' first losses.
  assert.ok(Math.abs(both.losses[0]! - (fused.losses[0]! + heads.losses[0]!)) < 1e-5);
});
