import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, type Batch, type SplitName } from '@ungreedy/core';
import { createColoredMnist, DEFAULT_OPTIONS, type ColoredMnistOptions } from './colored-mnist.js';
import { loadDigits } from './digit-source.js';
import { DEFAULT_PALETTE, nearestPaletteIndex } from './palette.js';
import { collect, colorsOf, makeContext, rejectsWith, writeFakeMnist } from './test-fixtures/fixtures.js';

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];
const small: ColoredMnistOptions = { ...DEFAULT_OPTIONS, imageSize: 14, trainSize: 3000, valSize: 500, testSize: 2000 };

function build(options: Partial<ColoredMnistOptions> = {}, seed = 1) {
  return createColoredMnist({ ...small, ...options }, makeContext(seed));
}

/** Share of samples whose tint is nearest to their own class's palette colour, read from the pixels. */
function colorLabelAgreement(batches: readonly Batch[], pixels: number): number {
  let hits = 0;
  let n = 0;
  for (const b of batches) {
    const colors = colorsOf(b, pixels);
    for (let i = 0; i < b.size; i++, n++) if (nearestPaletteIndex(colors.subarray(3 * i, 3 * i + 3), DEFAULT_PALETTE) === b.labels[i]) hits++;
  }
  return hits / n;
}

test('modalities, classes and split sizes follow the options', async () => {
  const ds = await build();
  assert.deepEqual(ds.modalities, [
    { name: 'gray', shape: [14, 14, 1] },
    { name: 'color', shape: [14, 14, 3] },
  ]);
  assert.equal(ds.numClasses, 10);
  assert.deepEqual([ds.size('train'), ds.size('val'), ds.size('test')], [3000, 500, 2000]);
  const [first] = await collect(ds, 'val', 64);
  assert.equal(first!.size, 64);
  assert.equal(first!.inputs[0]!.length, 64 * 14 * 14);
  assert.equal(first!.inputs[1]!.length, 64 * 14 * 14 * 3);
});

test('the default sizes use all 10,000 npm digits once, in disjoint splits', async () => {
  const ds = await createColoredMnist(DEFAULT_OPTIONS, makeContext(4));
  const seen = new Set<number>();
  for (const split of SPLITS) for (const id of ds.indices(split)) seen.add(id);
  assert.equal(seen.size, 10000);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 10000 }, (_, i) => i));
});

test('batches cover the split exactly once, carry the source labels and the stored order', async () => {
  const ds = await build();
  const src = await loadDigits(null);
  for (const split of SPLITS) {
    const batches = await collect(ds, split, 300);
    const ids = batches.flatMap((b) => [...b.indices]);
    assert.deepEqual(ids, [...ds.indices(split)]);
    assert.equal(batches.at(-1)!.size, ds.size(split) % 300 || 300);
    for (const b of batches) for (let i = 0; i < b.size; i++) assert.equal(b.labels[i], src.labels[b.indices[i]!]);
  }
});

test('the gray modality is the area-downsampled digit and the colour modality tints it on black', async () => {
  const ds = await build({ imageSize: 28 });
  const src = await loadDigits(null);
  const [b] = await collect(ds, 'train', 8);
  const [gray, color] = b!.inputs as [Float32Array, Float32Array];
  const colors = colorsOf(b!, 784);
  for (let i = 0; i < b!.size; i++) {
    const id = b!.indices[i]!;
    for (let q = 0; q < 784; q++) {
      const v = src.images[id * 784 + q]! / 255;
      assert.ok(Math.abs(gray[i * 784 + q]! - v) < 1e-6);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(color[(i * 784 + q) * 3 + c]! - v * colors[3 * i + c]!) < 1e-5);
    }
  }
  // Background stays black in every channel.
  const bg = Array.from({ length: 784 }, (_, q) => q).filter((q) => src.images[b!.indices[0]! * 784 + q] === 0);
  assert.ok(bg.length > 400);
  for (const q of bg) for (let c = 0; c < 3; c++) assert.equal(color[q * 3 + c], 0);
});

test('colour predicts the label in training (strong bias) and is at chance in test with random colours', async () => {
  const pixels = 14 * 14;
  const strong = await build({ trainColorStd: 0.05 });
  const train = colorLabelAgreement(await collect(strong, 'train'), pixels);
  const val = colorLabelAgreement(await collect(strong, 'val'), pixels);
  const testAgree = colorLabelAgreement(await collect(strong, 'test'), pixels);
  // Measured (seed 1): train 1.000, val 1.000, test 0.10; σ = 0.05 never crosses half the smallest palette gap.
  assert.ok(train > 0.99, `train ${train}`);
  assert.ok(val > 0.99, `val ${val}`);
  // 2,000 test digits: chance 0.1 with a binomial std of 0.0067.
  assert.ok(Math.abs(testAgree - 0.1) < 0.03, `test ${testAgree}`);

  // The default σ = 0.1: a strong but imperfect shortcut (measured 0.984 at seed 1), a weaker one at 0.3 (0.61).
  const medium = colorLabelAgreement(await collect(await build({ trainColorStd: 0.1 }), 'train'), pixels);
  const weak = colorLabelAgreement(await collect(await build({ trainColorStd: 0.3 }), 'train'), pixels);
  assert.ok(medium > 0.95 && medium < 1, `σ 0.1: ${medium}`);
  assert.ok(weak > 0.45 && weak < 0.75, `σ 0.3: ${weak}`);
  assert.deepEqual(strong.describe().colorMatchesLabel, { train, val, test: testAgree });
});

test('testColors biased and valColors as-test move the bias between splits', async () => {
  const pixels = 14 * 14;
  const biasedTest = await build({ trainColorStd: 0.05, testColors: 'biased' });
  assert.ok(colorLabelAgreement(await collect(biasedTest, 'test'), pixels) > 0.99);
  const valAsTest = await build({ trainColorStd: 0.05, valColors: 'as-test' });
  assert.ok(Math.abs(colorLabelAgreement(await collect(valAsTest, 'val'), pixels) - 0.1) < 0.05);
  assert.deepEqual(valAsTest.describe().colorRules, { train: 'biased', val: 'random', test: 'random' });
});

test('colours are fixed per sample: two passes over a split give identical batches', async () => {
  const ds = await build();
  const a = await collect(ds, 'train', 500);
  const b = await collect(ds, 'train', 500);
  assert.deepEqual(a, b);
});

test('the same seed gives the same data; another seed gives other splits and colours', async () => {
  const a = await build({}, 11);
  const b = await build({}, 11);
  const c = await build({}, 12);
  for (const split of SPLITS) {
    assert.deepEqual(a.indices(split), b.indices(split));
    assert.deepEqual(await collect(a, split), await collect(b, split));
    assert.notDeepEqual(a.indices(split), c.indices(split));
  }
  assert.notDeepEqual((await collect(a, 'test'))[0]!.inputs[1], (await collect(c, 'test'))[0]!.inputs[1]);
});

test('the colour options do not move the split (independent sub-streams)', async () => {
  const a = await build({ trainColorStd: 0.05 }, 5);
  const b = await build({ trainColorStd: 0.3, testColors: 'biased', pairing: 'same-class' }, 5);
  for (const split of SPLITS) assert.deepEqual(a.indices(split), b.indices(split));
});

test('shuffling draws from request.rng, and skipBatches resumes the same order', async () => {
  const ds = await build();
  const run = async (seed: number, skipBatches?: number) => {
    const out: Batch[] = [];
    const request = { batchSize: 128, shuffle: true, augment: true, rng: Rng.fromSeed(seed, 'shuffle'), ...(skipBatches === undefined ? {} : { skipBatches }) };
    for await (const b of ds.batches('train', request)) out.push(b);
    return out;
  };
  const full = await run(3);
  const ids = full.flatMap((b) => [...b.indices]);
  assert.deepEqual([...ids].sort((x, y) => x - y), [...ds.indices('train')].sort((x, y) => x - y));
  assert.notDeepEqual(ids, [...ds.indices('train')]);
  assert.deepEqual(await run(3), full);
  assert.notDeepEqual((await run(4))[0]!.indices, full[0]!.indices);
  const resumed = await run(3, 5);
  assert.equal(resumed.length, full.length - 5);
  assert.deepEqual(resumed, full.slice(5));
});

test('same-class pairing shows another image of the same class in the colour modality', async () => {
  const ds = await build({ pairing: 'same-class', imageSize: 28 });
  const src = await loadDigits(null);
  const [b] = await collect(ds, 'train', 50);
  const [gray, color] = b!.inputs as [Float32Array, Float32Array];
  let differing = 0;
  for (let i = 0; i < b!.size; i++) {
    // Recover the tinted intensity image (colour / its tint), find the source digit it is, check its class.
    let maxSum = 0;
    for (let q = 0; q < 784; q++) maxSum = Math.max(maxSum, color[(i * 784 + q) * 3]! + color[(i * 784 + q) * 3 + 1]! + color[(i * 784 + q) * 3 + 2]!);
    const tinted = Array.from({ length: 784 }, (_, q) => (color[(i * 784 + q) * 3]! + color[(i * 784 + q) * 3 + 1]! + color[(i * 784 + q) * 3 + 2]!) / maxSum);
    const sameAsGray = tinted.every((v, q) => Math.abs(v - gray[i * 784 + q]! / Math.max(...gray.subarray(i * 784, (i + 1) * 784))) < 1e-4);
    if (!sameAsGray) differing++;
    const ids = ds.indices('train');
    const match = [...ids].find((id) => {
      const img = src.images.subarray(id * 784, (id + 1) * 784);
      const m = Math.max(...img);
      return img.every((v, q) => Math.abs(v / m - tinted[q]!) < 1e-4);
    });
    assert.notEqual(match, undefined, 'the colour image is a training digit');
    assert.equal(src.labels[match!], b!.labels[i]);
  }
  assert.equal(differing, b!.size);
  assert.equal(ds.describe().sameClassFallbacks, 0);
});

test('normalize standardises each channel over the training split', async () => {
  const ds = await build({ normalize: true });
  const batches = await collect(ds, 'train', 1000);
  for (const [m, channels] of [[0, 1], [1, 3]] as const) {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (const b of batches) {
        const x = b.inputs[m]!;
        for (let i = c; i < x.length; i += channels, n++) {
          s += x[i]!;
          s2 += x[i]! * x[i]!;
        }
      }
      const mean = s / n;
      assert.ok(Math.abs(mean) < 1e-3, `modality ${m} channel ${c} mean ${mean}`);
      assert.ok(Math.abs(s2 / n - mean * mean - 1) < 1e-3, `modality ${m} channel ${c} var`);
    }
  }
});

test('sizes larger than the data are rejected with the split and the counts', async () => {
  await rejectsWith(build({ trainSize: 9000, valSize: 1000, testSize: 1000 }), 'UNG_ERR_DATASET_TOO_SMALL', {
    split: 'train+val+test',
    requested: 11000,
    available: 10000,
  });
  const fake = writeFakeMnist({ train: 40, test: 20, seed: 8, gzip: ['t10k-images-idx3-ubyte'] });
  await rejectsWith(build({ root: fake.dir, trainSize: 35, valSize: 10, testSize: 5 }), 'UNG_ERR_DATASET_TOO_SMALL', { split: 'train+val', requested: 45, available: 40 });
  await rejectsWith(build({ root: fake.dir, trainSize: 30, valSize: 10, testSize: 21 }), 'UNG_ERR_DATASET_TOO_SMALL', { split: 'test', requested: 21, available: 20 });
});

test('with IDX files, train and val come from the training file and test from t10k', async () => {
  const fake = writeFakeMnist({ train: 40, test: 20, seed: 9 });
  const ds = await build({ root: fake.dir, trainSize: 30, valSize: 10, testSize: 20 });
  assert.deepEqual([...ds.indices('train'), ...ds.indices('val')].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual([...ds.indices('test')].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => 40 + i));
  const [b] = await collect(ds, 'test', 20);
  for (let i = 0; i < b!.size; i++) assert.equal(b!.labels[i], fake.testLabels[b!.indices[i]! - 40]);
});

test('a relative root resolves against the config folder; a missing one is reported', async () => {
  const fake = writeFakeMnist({ train: 20, test: 10, seed: 10 });
  const ds = await createColoredMnist({ ...small, root: '.', trainSize: 10, valSize: 5, testSize: 5 }, makeContext(1, fake.dir));
  assert.equal(ds.size('train'), 10);
  await rejectsWith(createColoredMnist({ ...small, root: 'no-such-mnist' }, makeContext(1, fake.dir)), 'UNG_ERR_DATASET_MISSING', {
    root: `${fake.dir}/no-such-mnist`,
  });
});

test('describe names the source and the drawn facts', async () => {
  const d = (await build()).describe();
  assert.deepEqual((d.source as { kind: string }).kind, 'npm');
  assert.deepEqual(d.sizes, { train: 3000, val: 500, test: 2000 });
  assert.equal(d.trainColorStd, 0.1);
  assert.equal(d.testColorStd, 0.1);
  assert.equal(d.pairing, 'same-image');
});
