import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../contract/rng/rng.js';
import type { Batch } from '../contract/data/dataset.js';
import { DatasetTester } from './dataset-tester.js';
import { tinyDataset } from './tiny-dataset.js';

const options = {
  seed: 3,
  numClasses: 3,
  sizes: { train: 30, val: 6, test: 9 },
  modalities: [
    { shape: [2, 2], signal: 0.2, noise: 1 },
    { shape: [4], signal: 3, noise: 0.1 },
  ],
};

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

test('splits have the requested sizes, balanced labels and disjoint train/val indices', () => {
  const ds = tinyDataset(options);
  assert.deepEqual([ds.size('train'), ds.size('val'), ds.size('test')], [30, 6, 9]);
  const train = new Set(ds.indices('train'));
  assert.ok([...ds.indices('val')].every((i) => !train.has(i)));
  assert.deepEqual(ds.modalities.map((m) => m.shape), [[2, 2], [4]]);
});

test('the same seed gives the same data; shuffling follows the request stream; skipBatches resumes the order', async () => {
  const a = tinyDataset(options);
  const b = tinyDataset(options);
  const req = (rng: Rng, skip = 0) => ({ batchSize: 8, shuffle: true, augment: false, rng, skipBatches: skip });
  const full = await collect(a.batches('train', req(Rng.fromSeed(9))));
  const again = await collect(b.batches('train', req(Rng.fromSeed(9))));
  assert.deepEqual(full, again);
  assert.deepEqual(full.map((x) => x.size), [8, 8, 8, 6]);
  const tail = await collect(a.batches('train', req(Rng.fromSeed(9), 2)));
  assert.deepEqual(tail, full.slice(2));
  const other = await collect(a.batches('train', req(Rng.fromSeed(10))));
  assert.notDeepEqual(other.map((x) => [...x.indices]), full.map((x) => [...x.indices]));
});

test('a strong modality separates the classes by nearest prototype far better than a weak one', async () => {
  const ds = tinyDataset({ ...options, sizes: { train: 300, val: 0, test: 0 } });
  const [batch] = await collect(ds.batches('train', { batchSize: 300, shuffle: false, augment: false, rng: Rng.fromSeed(0) }));
  const accuracy = (k: number): number => {
    const w = 4; // both modalities have 4 values per sample
    const x = batch!.inputs[k]!;
    const means = Array.from({ length: 3 }, () => new Float64Array(w));
    const counts = [0, 0, 0];
    batch!.labels.forEach((y, i) => {
      counts[y]!++;
      for (let j = 0; j < w; j++) means[y]![j]! += x[i * w + j]!;
    });
    means.forEach((m, c) => m.forEach((_, j) => (m[j]! /= counts[c]!)));
    let correct = 0;
    batch!.labels.forEach((y, i) => {
      const d = means.map((m) => m.reduce((s, v, j) => s + (v - x[i * w + j]!) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === y) correct++;
    });
    return correct / 300;
  };
  assert.ok(accuracy(1) > 0.95, `strong: ${accuracy(1)}`);
  assert.ok(accuracy(0) < 0.8, `weak: ${accuracy(0)}`);
});

new DatasetTester({ batchSize: 7 }).run('tiny', { create: () => tinyDataset({ ...options, augmentNoise: 0.3 }), sizes: options.sizes });
