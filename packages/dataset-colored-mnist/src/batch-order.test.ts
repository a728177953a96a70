import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Dataset, type SplitName } from '@ungreedy/core';
import { createColoredMnist, DEFAULT_OPTIONS } from './colored-mnist.js';
import { makeContext } from './test-fixtures/fixtures.js';

/** The sample ids of two consecutive shuffled epochs drawn from one stream, as the trainer draws them. */
async function twoEpochs(ds: Dataset, split: SplitName, seed: number, batchSize: number): Promise<number[][]> {
  const rng = Rng.fromSeed(seed, 'shuffle');
  const epochs: number[][] = [];
  for (let e = 0; e < 2; e++) {
    const ids: number[] = [];
    for await (const b of ds.batches(split, { batchSize, shuffle: true, augment: true, rng })) ids.push(...b.indices);
    epochs.push(ids);
  }
  return epochs;
}

// Pinned from the code before core's shared batch iterator: a refactor of batch iteration must not change the order
// a seed gives, or every published result (the quickstart table) would move.
test('the shuffled batch order of a seed is pinned (epochs 1 and 2)', async () => {
  const ds = await createColoredMnist({ ...DEFAULT_OPTIONS, imageSize: 14, trainSize: 60, valSize: 10, testSize: 20 }, makeContext(3));
  const [first, second] = await twoEpochs(ds, 'train', 11, 16);
  assert.deepEqual(first!.slice(0, 12), PIN_FIRST);
  assert.deepEqual(second!.slice(0, 12), PIN_SECOND);
});
const PIN_FIRST = [1678, 8585, 4809, 9885, 3554, 849, 4787, 2319, 8194, 4231, 6233, 4763];
const PIN_SECOND = [3927, 8570, 8351, 9702, 4942, 3562, 4626, 4787, 3068, 9575, 7048, 885];
