import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shuffledEpochs } from './shuffled-epochs.js';
import { tinyDataset } from './tiny-dataset.js';

// Pinned from the code before core's shared batch iterator: a refactor of batch iteration must not change the order
// a seed gives (the tiny dataset backs every engine test and the StrategyTester's real runs).
test('tiny dataset: the shuffled batch order of a seed is pinned (epochs 1 and 2)', async () => {
  const ds = tinyDataset({
    seed: 2,
    numClasses: 3,
    sizes: { train: 20, val: 6, test: 6 },
    modalities: [{ shape: [4], signal: 1, noise: 1 }],
    augmentNoise: 0.1,
  });
  assert.deepEqual(await shuffledEpochs(ds, 'train', { seed: 11, batchSize: 6 }), PIN);
});
const PIN = [
  [17, 6, 18, 19, 9, 16, 13, 10, 5, 15, 7, 2, 11, 8, 4, 12, 0, 1, 14, 3],
  [11, 18, 13, 9, 6, 8, 12, 15, 16, 4, 10, 1, 19, 17, 7, 2, 3, 14, 5, 0],
];
