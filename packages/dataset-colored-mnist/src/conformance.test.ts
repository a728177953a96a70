import { DatasetTester } from '@ungreedy/core/testing';
import plugin from './index.js';
import { createColoredMnist, DEFAULT_OPTIONS, type ColoredMnistOptions } from './colored-mnist.js';
import { makeContext } from './test-fixtures/fixtures.js';

const small: ColoredMnistOptions = { ...DEFAULT_OPTIONS, imageSize: 7, trainSize: 30, valSize: 6, testSize: 10 };

new DatasetTester({ batchSize: 8 }).run('colored-mnist', {
  create: () => createColoredMnist(small, makeContext(2)),
  sizes: { train: 30, val: 6, test: 10 },
  plugin,
  invalid: [
    { name: 'more samples than MNIST holds', create: () => createColoredMnist({ ...small, trainSize: 9000, valSize: 1000, testSize: 1000 }, makeContext(2)), code: 'UNG_ERR_DATASET_TOO_SMALL' },
    { name: 'a root folder that does not exist', create: () => createColoredMnist({ ...small, root: 'no-such-mnist' }, makeContext(2)), code: 'UNG_ERR_DATASET_MISSING' },
  ],
});
