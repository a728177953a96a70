import { after } from 'node:test';
import { join } from 'node:path';
import { DatasetTester } from '@ungreedy/core/testing';
import plugin from './index.js';
import { createModelNet40, defaultModelNet40Options, type ModelNet40Options } from './modelnet40.js';
import { datasetContext, makeTiny, removeDir, tempDir } from './test-fixtures/helpers.js';

// One generated mini set (4 classes × 5 train / 2 test objects, 16×16 views), made on first use.
let made: Promise<{ work: string; root: string }> | undefined;
const fixture = () =>
  (made ??= (async () => {
    const work = await tempDir();
    return { work, root: (await makeTiny(join(work, 'tiny'))).mvcnnRoot };
  })());
after(async () => {
  if (made) await removeDir((await made).work);
});

let caches = 0;
async function load(options: Partial<ModelNet40Options> = {}) {
  const { work, root } = await fixture();
  return createModelNet40(
    { ...defaultModelNet40Options, classes: 'from-folders', root, decodeWorker: false, prefetch: 1, ...options },
    datasetContext(work, join(work, `cache-${caches++}`)),
  );
}

new DatasetTester({ batchSize: 3 }).run('modelnet40', {
  create: () => load(),
  sizes: { train: 16, val: 4, test: 8 },
  plugin,
  invalid: [
    { name: 'a root folder that does not exist', create: () => load({ root: '/no/such/modelnet40' }), code: 'UNG_ERR_DATASET_MISSING' },
    {
      name: 'a validation index file that does not exist',
      create: () => load({ validation: { mode: 'index-file', fraction: 0.2, file: 'nope.txt', seed: 10 } }),
      code: 'UNG_ERR_DATASET_MISSING',
    },
  ],
});
