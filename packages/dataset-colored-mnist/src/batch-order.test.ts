import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shuffledEpochs } from '@ungreedy/core/testing';
import { createColoredMnist, DEFAULT_OPTIONS } from './colored-mnist.js';
import { makeContext } from './test-fixtures/fixtures.js';

// Pinned from the code before core's shared batch iterator: a refactor of batch iteration must not change the order
// a seed gives, or every published result (the quickstart table) would move.
test('the shuffled batch order of a seed is pinned (epochs 1 and 2)', async () => {
  const ds = await createColoredMnist({ ...DEFAULT_OPTIONS, imageSize: 14, trainSize: 60, valSize: 10, testSize: 20 }, makeContext(3));
  const [first, second] = await shuffledEpochs(ds, 'train', { seed: 11, batchSize: 16 });
  assert.deepEqual(first!.slice(0, 12), PIN_FIRST);
  assert.deepEqual(second!.slice(0, 12), PIN_SECOND);
});
const PIN_FIRST = [1678, 8585, 4809, 9885, 3554, 849, 4787, 2319, 8194, 4231, 6233, 4763];
const PIN_SECOND = [3927, 8570, 8351, 9702, 4942, 3562, 4626, 4787, 3068, 9575, 7048, 885];
