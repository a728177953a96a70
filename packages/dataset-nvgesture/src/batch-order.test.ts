import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Dataset } from '@ungreedy/core';
import { shuffledEpochs } from '@ungreedy/core/testing';
import { nvgesture, NVGESTURE_DEFAULTS } from './nvgesture.js';
import { datasetContext, tempDir, tinyMini } from './test-fixtures/fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let ds: Dataset;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  await tinyMini(join(dir, 'mini'), { perClassTrain: 6 });
  ds = await nvgesture.create(
    { ...NVGESTURE_DEFAULTS, root: 'mini', size: { width: 32, height: 24 }, cacheFrames: 10, frames: 4, temporalStride: 2, crop: { width: 16, height: 16 }, valFraction: 0.2, prefetch: 0, workers: 0 },
    datasetContext(dir),
  );
});

after(async () => {
  await ds.dispose?.();
  await cleanup();
});

// Pinned from the code before core's shared batch iterator: a refactor of batch iteration must not change the order
// a seed gives, or every published result (the quickstart table) would move.
test('the shuffled batch order of a seed is pinned (epochs 1 and 2)', async () => {
  // Augmentation is forked from the shuffle stream.
  assert.deepEqual(await shuffledEpochs(ds, 'train', { seed: 11, batchSize: 4 }), [PIN_FIRST, PIN_SECOND]);
});
const PIN_FIRST = [13, 16, 11, 17, 9, 6, 2, 8, 7, 5, 10, 14, 0, 12, 4];
const PIN_SECOND = [9, 5, 16, 6, 10, 17, 2, 8, 4, 14, 12, 0, 13, 7, 11];
