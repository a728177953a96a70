import { after } from 'node:test';
import { join } from 'node:path';
import { DatasetTester } from '@ungreedy/core/testing';
import plugin from './index.js';
import { nvgesture, NVGESTURE_DEFAULTS, type NvGestureOptions } from './nvgesture.js';
import { datasetContext, tempDir, tinyMini } from './test-fixtures/fixtures.js';

// One generated mini set (3 classes × 4 train / 1 test clips, 32×24, 10 frames), made on first use.
let made: Promise<{ dir: string; cleanup: () => Promise<void> }> | undefined;
const fixture = () =>
  (made ??= (async () => {
    const t = await tempDir();
    await tinyMini(join(t.dir, 'mini'), { perClassTrain: 4 });
    return t;
  })());
after(async () => {
  if (made) await (await made).cleanup();
});

const options = (o: Partial<NvGestureOptions> = {}): NvGestureOptions => ({
  ...NVGESTURE_DEFAULTS,
  root: 'mini',
  size: { width: 32, height: 24 },
  cacheFrames: 10,
  frames: 4,
  temporalStride: 2,
  crop: { width: 16, height: 16 },
  valFraction: 0.25,
  prefetch: 1,
  workers: 0,
  ...o,
});

async function load(o: Partial<NvGestureOptions> = {}) {
  const { dir } = await fixture();
  return nvgesture.create(options(o), datasetContext(dir));
}

new DatasetTester({ batchSize: 4 }).run('nvgesture', {
  create: () => load(),
  sizes: { train: 9, val: 3, test: 3 },
  plugin,
  invalid: [
    { name: 'a crop larger than the cache', create: () => load({ crop: { width: 40, height: 16 } }), code: 'UNG_ERR_CONFIG_INVALID', pointer: '/dataset/options/crop' },
    { name: 'a root folder that does not exist', create: () => load({ root: 'no-such-root', cache: null }), code: 'UNG_ERR_DATASET_MISSING' },
  ],
});
