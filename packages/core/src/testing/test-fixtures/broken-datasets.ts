// Datasets that each break one rule of the dataset contract (and one that breaks none), run by dataset-tester.test.ts
// in a child process: the kit must fail exactly the checks named there. Each wraps the tiny dataset.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchRequest, Dataset, SplitName } from '../../contract/data/dataset.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import { DatasetTester } from '../dataset-tester.js';
import { tinyDataset } from '../tiny-dataset.js';

const sizes = { train: 14, val: 4, test: 5 };
const tiny = (): Dataset =>
  tinyDataset({ seed: 4, numClasses: 3, sizes, modalities: [{ shape: [3], signal: 1, noise: 0.5 }, { shape: [2, 2], signal: 2, noise: 0.1 }], augmentNoise: 0.2 });

/** The tiny dataset with `batches` replaced. */
function withBatches(batches: (inner: Dataset, split: SplitName, request: BatchRequest) => AsyncIterable<Batch>): () => Dataset {
  return () => {
    const inner = tiny();
    return {
      modalities: inner.modalities,
      numClasses: inner.numClasses,
      size: (s) => inner.size(s),
      indices: (s) => inner.indices(s),
      batches: (s, r) => batches(inner, s, r),
    };
  };
}

// The "unseeded" dataset's own stream, ignoring request.rng as a Math.random user would (fixed, so the verdict
// never depends on luck).
let ownState = 0x2545f491;
function ownRandom(): number {
  ownState = (Math.imul(ownState, 1664525) + 1013904223) >>> 0;
  return ownState / 2 ** 32;
}

const tester = new DatasetTester({ batchSize: 4 });

tester.run('sound', { create: tiny, sizes });

tester.run('wrong-sizes', { create: tiny, sizes: { ...sizes, val: 5 } });

tester.run('label-out-of-range', {
  create: withBatches(async function* (inner, s, r) {
    for await (const b of inner.batches(s, r)) yield { ...b, labels: b.labels.map((y) => (y === 2 ? 3 : y)) };
  }),
});

tester.run('ignores-skip', {
  // Checks skipBatches, then starts at batch 0 anyway.
  create: withBatches((inner, s, r) => inner.batches(s, { ...r, skipBatches: Number.isInteger(r.skipBatches ?? 0) && (r.skipBatches ?? 0) >= 0 ? 0 : r.skipBatches })),
});

tester.run('unseeded', {
  create: withBatches(async function* (inner, s, r) {
    // Draws the order from its own stream instead of request.rng.
    const batches: Batch[] = [];
    for await (const b of inner.batches(s, { ...r, shuffle: false })) batches.push(b);
    if (r.shuffle) for (let i = batches.length - 1; i > 0; i--) {
      const j = Math.floor(ownRandom() * (i + 1));
      [batches[i], batches[j]] = [batches[j]!, batches[i]!];
    }
    yield* batches.slice(r.skipBatches ?? 0);
  }),
});

tester.run('uncoded-batch-size', {
  create: withBatches((inner, s, r) => {
    if (!(r.batchSize >= 1) || !Number.isInteger(r.batchSize)) throw new RangeError(`bad batch size ${r.batchSize}`);
    return inner.batches(s, { ...r, skipBatches: Math.max(0, Math.floor(r.skipBatches ?? 0)) });
  }),
});

tester.run('leaky', {
  create: withBatches(async function* (inner, s, r) {
    for await (const b of inner.batches(s, r)) {
      tf.tensor(b.inputs[0]!); // kept by nobody: a leak
      yield b;
    }
  }),
});

tester.run('wrong-error', {
  create: tiny,
  invalid: [
    {
      name: 'no such file',
      create: () => {
        throw new UngreedyError('UNG_ERR_DATASET_CORRUPT', 'a fixture', {});
      },
      code: 'UNG_ERR_DATASET_MISSING',
    },
  ],
});
