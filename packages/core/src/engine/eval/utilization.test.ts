import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../contract/data/dataset.js';
import { REGULAR } from '../../contract/model/fusion-block.js';
import { Rng } from '../../contract/rng/rng.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { tinyDataset } from '../../testing/tiny-dataset.js';
import { tinyModel } from '../trainer/fixtures/tiny-model.js';
import { argmaxRows, batchAccuracy } from './accuracy.js';
import { measureUtilization, utilizationRates } from './utilization.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('spec 9.12: A(f_k) = 90, A(f\'_0) = 60, A(f\'_1) = 85 → u = 1/3, 1/18, d_util = 5/18', () => {
  const r = utilizationRates({ acc: 90, accHeads: [90, 90], accHeadsAblated: [60, 85], denominator: 'branch' });
  close(r.u[0]!, 1 / 3);
  close(r.u[1]!, 1 / 18);
  close(r.dUtil, 5 / 18);
});

test('spec 9.12: with unequal branch accuracies each modality has its own denominator', () => {
  const r = utilizationRates({ acc: 88, accHeads: [80, 50], accHeadsAblated: [60, 45], denominator: 'branch' });
  close(r.u[0]!, 20 / 80);
  close(r.u[1]!, 5 / 50);
  const f = utilizationRates({ acc: 88, accHeads: [80, 50], accHeadsAblated: [60, 45], denominator: 'fused' });
  close(f.u[0]!, 20 / 88);
  close(f.u[1]!, 5 / 88);
});

test('spec 9.12: a negative u (ablation helps) is kept, not clamped', () => {
  const r = utilizationRates({ acc: 70, accHeads: [70, 60], accHeadsAblated: [77, 60], denominator: 'branch' });
  close(r.u[0]!, -0.1);
  close(r.u[1]!, 0);
  close(r.dUtil, -0.1);
});

test('three modalities: d_util = max(u) − min(u)', () => {
  const r = utilizationRates({ acc: 90, accHeads: [80, 80, 80], accHeadsAblated: [40, 80, 60], denominator: 'branch' });
  close(r.dUtil, 0.5);
});

test('measureUtilization: means over the train split feed one ablate-partner test pass (checked by hand)', async () => {
  await setupTestBackend();
  const dataset = tinyDataset({
    seed: 5,
    numClasses: 3,
    sizes: { train: 13, val: 0, test: 10 },
    modalities: [
      { shape: [3], signal: 1, noise: 1 },
      { shape: [4], signal: 1, noise: 1 },
    ],
  });
  const model = tinyModel({ inputSizes: [3, 4], hidden: 6, numClasses: 3, fusion: true, rng: Rng.fromSeed(11, 'init') });
  const before = tf.memory().numTensors;
  const { test: intact, record } = await measureUtilization({
    model,
    dataset,
    modalities: [0, 1],
    batchSize: 4,
    legacyLength2AccuracyQuirk: false,
    denominator: 'branch',
    recordWithAugmentation: false,
    augmentRng: Rng.fromSeed(1, 'augment'),
    checkpoint: 'last',
    epoch: 1,
  });
  assert.equal(tf.memory().numTensors, before);

  // By hand: the squeezes of this model are its first-layer features; average them over all 13 training samples.
  const all = async (split: 'train' | 'test') => {
    const [batch] = await collect(dataset.batches(split, { batchSize: 100, shuffle: false, augment: false, rng: Rng.fromSeed(0) }));
    return batch!;
  };
  const train = await all('train');
  const test = await all('test');
  const means: tf.Tensor1D[] = [];
  model.forward(
    [tf.tensor2d(train.inputs[0]!, [13, 3]), tf.tensor2d(train.inputs[1]!, [13, 4])],
    { training: false, mode: REGULAR, recordSqueezes: (_p, s) => s.forEach((x) => means.push(tf.keep(tf.mean(x, 0) as tf.Tensor1D))) },
  );
  const inputs = [tf.tensor2d(test.inputs[0]!, [10, 3]), tf.tensor2d(test.inputs[1]!, [10, 4])];
  const ablated = model.forward(inputs, { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: [means] });
  const regular = model.forward(inputs, { training: false, mode: REGULAR });
  const acc = (logits: tf.Tensor2D): number => batchAccuracy(argmaxRows(logits.dataSync(), 10, 3), test.labels, false);
  assert.deepEqual(record!.accHeadsAblated, ablated.heads.map(acc));
  assert.deepEqual(record!.accHeads, regular.heads.map(acc));
  assert.deepEqual(intact!.accHeads, record!.accHeads);
  assert.equal(record!.acc, acc(regular.fused));
  // Not vacuous: the ablation changes the heads' logits.
  const diff = tf.max(tf.abs(tf.sub(ablated.heads[0]!, regular.heads[0]!))).dataSync()[0]!;
  assert.ok(diff > 1e-4, `ablation changed logits by only ${diff}`);
  model.dispose();
});

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}
