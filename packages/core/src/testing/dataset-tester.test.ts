import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { kitFailures } from './test-fixtures/kit-failures.js';

test('the dataset kit fails each broken dataset on exactly the broken rule, and passes a sound one', () => {
  const got = kitFailures(fileURLToPath(new URL('./test-fixtures/broken-datasets.ts', import.meta.url)), 'dataset');
  const stored = 'every split in stored order: batches of 4 cover the split in order, typed and in range; no draws';
  const shuffled = 'the shuffled order is a permutation of the split and a function of the seed';
  const skip = 'skipBatches = k yields exactly batches k.. of the epoch and leaves the streams where the epoch does';
  assert.deepEqual(Object.fromEntries(got), {
    sound: [],
    'wrong-sizes': ['declaration: modalities, classes, split sizes and indices agree'],
    'label-out-of-range': [stored],
    'ignores-skip': [skip],
    unseeded: [shuffled, skip],
    'uncoded-batch-size': ['a bad batch size or skipBatches fails with a coded error'],
    leaky: ['no tensor leaks: creating, iterating every split and disposing leaves tf.memory().numTensors unchanged'],
    'wrong-error': ['invalid (no such file): UNG_ERR_DATASET_MISSING'],
  });
});
