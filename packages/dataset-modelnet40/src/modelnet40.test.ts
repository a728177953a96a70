import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError, Rng, type Batch, type BatchRequest, type Dataset, type SplitName } from '@ungreedy/core';
import { createModelNet40, defaultModelNet40Options, type ModelNet40Options } from './modelnet40.js';
import { decodePng } from './image-io.js';
import { renderFile, meshFile } from './layout.js';
import { MODELNET40_CLASSES } from './class-names.js';
import { referenceSplit } from './cpython-random.js';
import { copyTree, datasetContext, makeTiny, removeDir, tempDir, TINY } from './test-fixtures/helpers.js';
import type { MakeMiniResult } from './make-modelnet40-mini.js';

const N_TRAIN = TINY.classes! * TINY.perClassTrain!; // 20
const N_TEST = TINY.classes! * TINY.perClassTest!; // 8

let work: string;
let tiny: MakeMiniResult;
const opened: Dataset[] = [];

before(async () => {
  work = await tempDir();
  tiny = await makeTiny(join(work, 'tiny'));
});

after(async () => {
  for (const d of opened) await d.dispose?.();
  await removeDir(work);
});

let caches = 0;
/** Creates the dataset with a fresh cache folder unless `cacheDir` is given. */
async function load(options: Partial<ModelNet40Options>, cacheDir?: string, seed = 1) {
  const ds = await createModelNet40(
    // Main-thread decoding unless a test asks for the worker (a tsx worker takes a second to start).
    { ...defaultModelNet40Options, classes: 'from-folders', root: tiny.mvcnnRoot, decodeWorker: false, ...options },
    datasetContext(work, cacheDir ?? join(work, `cache-${caches++}`), seed),
  );
  opened.push(ds);
  return ds;
}

function request(overrides: Partial<BatchRequest> = {}): BatchRequest {
  return { batchSize: 3, shuffle: false, augment: false, rng: Rng.fromSeed(5, 'shuffle'), ...overrides };
}

async function collect(ds: Dataset, split: SplitName, req: BatchRequest = request()): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(split, req)) out.push(b);
  return out;
}

async function expectError(promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isUngreedyError(err), String(err));
    assert.equal(err.code, code, err.message);
    return { ...err.data };
  }
  assert.fail(`expected ${code}`);
}

/** The stored image of one view, normalised as the dataset does, for comparison with a batch. */
async function expectedView(root: string, obj: { className: string; split: 'train' | 'test'; stem: string }, view: number, flip = false) {
  const img = decodePng(await readFile(renderFile(root, obj, view)), 'x');
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const out = new Float32Array(img.width * img.height * 3);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      for (let c = 0; c < 3; c++) {
        const sx = flip ? img.width - 1 - x : x;
        out[(y * img.width + x) * 3 + c] = Math.fround((img.data[(y * img.width + sx) * 3 + c]! / 255 - mean[c]!) / std[c]!);
      }
  return out;
}

function sampleOf(batch: Batch, modality: number, i: number): Float32Array {
  const plane = batch.inputs[modality]!.length / batch.size;
  return batch.inputs[modality]!.subarray(i * plane, (i + 1) * plane);
}

describe('modelnet40 on the MVCNN layout', () => {
  test('main-thread decoding gives the event loop a turn between batches (Ctrl-C is acted on within a batch)', async () => {
    const ds = await load({});
    let turns = 0;
    let timer = setImmediate(function tick() {
      turns++;
      timer = setImmediate(tick);
    });
    try {
      const seen: number[] = [];
      for await (const _batch of ds.batches('train', { batchSize: 2, shuffle: false, augment: false, rng: Rng.fromSeed(1, 'order') })) seen.push(turns);
      assert.ok(seen.length > 2);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `no event-loop turn before batch ${i}: ${seen.join(', ')}`);
    } finally {
      clearImmediate(timer);
    }
  });

  test('counts, classes, modalities and labels follow the folders (classes: from-folders)', async () => {
    const ds = await load({});
    assert.deepEqual(ds.classNames, ['bottle', 'bowl', 'cone', 'cup']);
    assert.equal(ds.numClasses, 4);
    assert.deepEqual(ds.modalities, [
      { name: 'view1', shape: [16, 16, 3] },
      { name: 'view7', shape: [16, 16, 3] },
    ]);
    assert.equal(ds.size('train') + ds.size('val'), N_TRAIN);
    assert.equal(ds.size('val'), Math.floor(0.2 * N_TRAIN));
    assert.equal(ds.size('test'), N_TEST);
    const test = await collect(ds, 'test');
    assert.deepEqual(test.map((b) => b.size), [3, 3, 2]);
    // Class-major listing: test objects 0,1 are bottles, 2,3 bowls, ...
    assert.deepEqual(test.flatMap((b) => [...b.labels]), [0, 0, 1, 1, 2, 2, 3, 3]);
    assert.deepEqual(test.flatMap((b) => [...b.indices]), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(ds.object('test', 2).stem, 'bowl_0006');
  });

  test('classes: modelnet40 labels each class by its position in the official list', async () => {
    const ds = await load({ classes: 'modelnet40' });
    assert.equal(ds.numClasses, 40);
    assert.deepEqual(ds.classNames, MODELNET40_CLASSES);
    const labels = (await collect(ds, 'test')).flatMap((b) => [...b.labels]);
    const official = (c: string) => MODELNET40_CLASSES.indexOf(c as (typeof MODELNET40_CLASSES)[number]);
    assert.deepEqual(labels, ['bottle', 'bottle', 'bowl', 'bowl', 'cone', 'cone', 'cup', 'cup'].map(official));
    assert.deepEqual([official('bottle'), official('cup')], [5, 10]);
  });

  test('each modality carries its own view of the same object (view1 = v001, view7 = v007; any views)', async () => {
    const ds = await load({ views: [0, 6, 3] });
    assert.deepEqual(ds.modalities.map((m) => m.name), ['view1', 'view7', 'view4']);
    const [batch] = await collect(ds, 'test', request({ batchSize: 8 }));
    for (const i of [0, 5]) {
      const obj = ds.object('test', batch!.indices[i]!);
      for (const [m, view] of [0, 6, 3].entries()) {
        assert.deepEqual(sampleOf(batch!, m, i), await expectedView(tiny.mvcnnRoot, obj, view), `sample ${i} view ${view}`);
      }
    }
    assert.notDeepEqual(sampleOf(batch!, 0, 6), sampleOf(batch!, 1, 6), "a cup seen from the front and the rear");
  });

  test('normalize: false gives [0, 1] pixels; imageSize resizes every view', async () => {
    const raw = await load({ normalize: false, imageSize: 8 });
    assert.deepEqual(raw.modalities[0]!.shape, [8, 8, 3]);
    const [b] = await collect(raw, 'test', request({ batchSize: 2 }));
    const x = b!.inputs[0]!;
    assert.equal(x.length, 2 * 8 * 8 * 3);
    assert.ok(Math.min(...x) >= 0 && Math.max(...x) <= 1);
    assert.equal(Math.min(...x), 0, 'the black background survives an area resize');
  });

  test('fraction split: floor(0.2·N) validation objects, disjoint from train, together all N, fixed by the seed', async () => {
    const a = await load({}, undefined, 7);
    const b = await load({}, undefined, 7);
    const c = await load({}, undefined, 8);
    const train = [...a.indices('train')], val = [...a.indices('val')];
    assert.equal(val.length, 4);
    assert.equal(new Set([...train, ...val]).size, N_TRAIN);
    assert.deepEqual([...train, ...val].sort((x, y) => x - y), Array.from({ length: N_TRAIN }, (_, i) => i));
    assert.deepEqual([...b.indices('val')], val);
    assert.notDeepEqual([...c.indices('val')], val);
  });

  test('reference split: the first floor(0.2·N) of CPython Random(10).shuffle(range(N)) are validation', async () => {
    const ds = await load({ validation: { mode: 'reference', fraction: 0.2, file: null, seed: 10 } });
    // CPython: random.Random(10).shuffle(list(range(20))) -> [14, 11, 5, 6, 19, ...]
    assert.deepEqual([...ds.indices('val')], [14, 11, 5, 6]);
    assert.deepEqual([...ds.indices('val')], referenceSplit(N_TRAIN).val);
    assert.deepEqual(
      [...ds.indices('train')],
      Array.from({ length: N_TRAIN }, (_, i) => i).filter((i) => ![14, 11, 5, 6].includes(i)),
    );
  });

  test('index-file split reads the listed validation indices; bad entries are errors', async () => {
    const file = join(work, 'val.txt');
    await writeFile(file, '3\n1\n17\n');
    const ds = await load({ validation: { mode: 'index-file', fraction: 0.2, file: 'val.txt', seed: 10 } });
    assert.deepEqual([...ds.indices('val')], [3, 1, 17]);
    assert.equal(ds.size('train'), N_TRAIN - 3);
    await writeFile(join(work, 'bad-val.json'), '[1, 2, 20]');
    const data = await expectError(load({ validation: { mode: 'index-file', fraction: 0.2, file: 'bad-val.json', seed: 10 } }), 'UNG_ERR_DATASET_CORRUPT');
    assert.deepEqual(data, { file: join(work, 'bad-val.json'), reason: 'index-file', value: 20 });
    const missing = await expectError(load({ validation: { mode: 'index-file', fraction: 0.2, file: 'nope.txt', seed: 10 } }), 'UNG_ERR_DATASET_MISSING');
    assert.equal(missing['reason'], 'missing-index-file');
  });

  test('flips happen only with augment, per view, mirror the image, and repeat for the same rng', async () => {
    const ds = await load({});
    const plain = await collect(ds, 'train', request({ batchSize: 16 }));
    const aug = await collect(ds, 'train', request({ batchSize: 16, augment: true }));
    const again = await collect(ds, 'train', request({ batchSize: 16, augment: true }));
    assert.deepEqual(aug, again);
    let flipped = 0, kept = 0;
    const [p, a] = [plain[0]!, aug[0]!];
    for (let i = 0; i < p.size; i++) {
      const obj = ds.object('train', p.indices[i]!);
      for (const [m, view] of [0, 6].entries()) {
        assert.deepEqual(sampleOf(p, m, i), await expectedView(tiny.mvcnnRoot, obj, view));
        const mirrored = await expectedView(tiny.mvcnnRoot, obj, view, true);
        if (sampleOf(a, m, i).every((x, k) => x === mirrored[k]) && !sampleOf(a, m, i).every((x, k) => x === sampleOf(p, m, i)[k])) flipped++;
        else {
          assert.deepEqual(sampleOf(a, m, i), sampleOf(p, m, i));
          kept++;
        }
      }
    }
    assert.ok(flipped > 4 && kept > 4, `flipped ${flipped}, kept ${kept}`);
    // Validation and test get no augmentation unless asked, and flip: false turns it off.
    const noFlip = await load({ flip: false });
    assert.deepEqual(await collect(noFlip, 'train', request({ batchSize: 16, augment: true })), plain);
  });

  test('shuffled, prefetched batches visit every sample once; skipBatches resumes the same order', async () => {
    const ds = await load({ prefetch: 3 });
    const all = await collect(ds, 'train', request({ shuffle: true, augment: true, rng: Rng.fromSeed(9, 'shuffle') }));
    const seen = all.flatMap((b) => [...b.indices]);
    assert.deepEqual([...seen].sort((a, b) => a - b), [...ds.indices('train')].sort((a, b) => a - b));
    assert.notDeepEqual(seen, [...ds.indices('train')]);
    const resumed = await collect(ds, 'train', request({ shuffle: true, augment: true, rng: Rng.fromSeed(9, 'shuffle'), skipBatches: 2 }));
    assert.deepEqual(resumed, all.slice(2));
    const noPrefetch = await load({ prefetch: 0 });
    assert.deepEqual(await collect(noPrefetch, 'train', request({ shuffle: true, augment: true, rng: Rng.fromSeed(9, 'shuffle') })), all);
  });

  test('the decode worker gives the same batches as the main thread, from memory and from the file', async () => {
    const req = () => request({ batchSize: 4, shuffle: true, augment: true, rng: Rng.fromSeed(3, 'shuffle') });
    const main = await collect(await load({}), 'train', req());
    for (const inMemoryLimitMB of [1024, 0]) {
      const ds = await load({ decodeWorker: true, inMemoryLimitMB });
      assert.deepEqual(await collect(ds, 'train', req()), main, `inMemoryLimitMB ${inMemoryLimitMB}`);
      await ds.dispose();
    }
  });

  test('the view cache is reused on the next load and rebuilt when a source file changes', async () => {
    const root = await copyTree(tiny.mvcnnRoot, join(work, 'cache-src'));
    const cacheDir = join(work, 'shared-cache');
    const first = await load({ root }, cacheDir);
    assert.equal((first.describe().viewCache as { reused: boolean }).reused, false);
    const second = await load({ root }, cacheDir);
    assert.equal((second.describe().viewCache as { reused: boolean }).reused, true);
    assert.deepEqual(await collect(second, 'test'), await collect(first, 'test'));
    const files = await readdir(join(cacheDir, 'modelnet40'));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^views-[0-9a-f]{32}\.bin$/);
    // 28 objects × 2 views × 16 × 16 × 3 bytes, plus the JSON header and trailer.
    const size = (await readFile(join(cacheDir, 'modelnet40', files[0]!))).length;
    assert.ok(size > 28 * 2 * 768 && size < 28 * 2 * 768 + 8192, String(size));
    // Replace one render with another object's: the key changes and the new pixels are used.
    const obj = { className: 'cone', split: 'test' as const, stem: 'cone_0006' };
    await writeFile(renderFile(root, obj, 0), await readFile(renderFile(root, { ...obj, className: 'cup', stem: 'cup_0006' }, 0)));
    const third = await load({ root }, cacheDir);
    assert.equal((third.describe().viewCache as { reused: boolean }).reused, false);
    const [b] = await collect(third, 'test', request({ batchSize: 8 }));
    assert.deepEqual(sampleOf(b!, 0, 4), await expectedView(root, { ...obj, className: 'cup', stem: 'cup_0006' }, 0));
  });
});

describe('modelnet40 on the OFF layout', () => {
  test('renders the meshes once into the cache and loads the same pixels as the MVCNN renders', async () => {
    const cacheDir = join(work, 'off-cache');
    const off = await load({ layout: 'off', root: tiny.offRoot, renderSize: TINY.size!, renderJobs: 1 }, cacheDir);
    const mv = await load({});
    assert.deepEqual(off.classNames, mv.classNames);
    assert.equal(off.size('test'), N_TEST);
    assert.deepEqual(await collect(off, 'test'), await collect(mv, 'test'));
    const entries = (await readdir(join(cacheDir, 'modelnet40'))).sort();
    assert.equal(entries.length, 2);
    assert.match(entries[0]!, /^renders-/);
    const again = await load({ layout: 'off', root: tiny.offRoot, renderSize: TINY.size!, renderJobs: 1 }, cacheDir);
    assert.equal((again.describe().viewCache as { reused: boolean }).reused, true);
  });
});

describe('modelnet40 bad input', () => {
  async function damaged(name: string): Promise<{ root: string; cacheDir: string }> {
    return { root: await copyTree(tiny.mvcnnRoot, join(work, name)), cacheDir: join(work, `${name}-cache`) };
  }
  async function cacheFiles(cacheDir: string): Promise<string[]> {
    return readdir(join(cacheDir, 'modelnet40')).catch(() => []);
  }

  test('a missing view names the file; skip drops the object, counts it, and caches', async () => {
    const { root, cacheDir } = await damaged('missing-view');
    const file = renderFile(root, { className: 'bowl', split: 'train', stem: 'bowl_0002' }, 6);
    await rm(file);
    const data = await expectError(load({ root }, cacheDir), 'UNG_ERR_DATASET_MISSING');
    assert.deepEqual(data, { file, reason: 'missing-view', view: 6, stem: 'bowl_0002' });
    assert.deepEqual(await cacheFiles(cacheDir), [], 'nothing partial is cached');
    // Without view 7 the object is fine.
    assert.equal((await load({ root, views: [0, 1] }, cacheDir)).size('train') + 4, N_TRAIN);
    const ds = await load({ root, onBadSample: 'skip' }, cacheDir);
    assert.equal(ds.size('train') + ds.size('val'), N_TRAIN - 1);
    assert.ok(![...ds.indices('train'), ...ds.indices('val')].includes(6), 'bowl_0002 is train object 6');
    const described = ds.describe();
    assert.equal(described['skippedSamples'], 1);
    assert.deepEqual(described['badSamples'], [
      { split: 'train', position: 6, stem: 'bowl_0002', file: 'bowl/train/bowl_0002.obj.shaded_v007.png', code: 'UNG_ERR_DATASET_MISSING', reason: 'missing-view' },
    ]);
    // The skip-mode cache remembers the bad sample: error mode still fails on it.
    await expectError(load({ root }, cacheDir), 'UNG_ERR_DATASET_MISSING');
  });

  test('a corrupt PNG names the file; skip counts it', async () => {
    const { root, cacheDir } = await damaged('corrupt-png');
    const file = renderFile(root, { className: 'cup', split: 'test', stem: 'cup_0007' }, 0);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, 40));
    const data = await expectError(load({ root }, cacheDir), 'UNG_ERR_DATASET_CORRUPT');
    assert.deepEqual(data, { file, reason: 'png-truncated' });
    assert.deepEqual(await cacheFiles(cacheDir), []);
    const ds = await load({ root, onBadSample: 'skip' }, cacheDir);
    assert.equal(ds.size('test'), N_TEST - 1);
    assert.equal(ds.describe()['skippedSamples'], 1);
  });

  test('a corrupt OFF file names the file and line; skip renders the rest; the OFF quirk parses', async () => {
    const root = await copyTree(tiny.offRoot, join(work, 'corrupt-off'));
    const cacheDir = join(work, 'corrupt-off-cache');
    const bad = meshFile(root, { className: 'cone', split: 'train', stem: 'cone_0001' });
    await writeFile(bad, 'OFF\n3 1 0\n0 0 0\n1 1\n');
    // The real files' quirk: the header glued to the counts.
    const quirk = meshFile(root, { className: 'cup', split: 'train', stem: 'cup_0001' });
    await writeFile(quirk, (await readFile(quirk, 'utf8')).replace(/^OFF\n/, 'OFF'));
    assert.match(await readFile(quirk, 'utf8'), /^OFF\d+ \d+ 0\n/);
    const data = await expectError(load({ layout: 'off', root, renderSize: 16, renderJobs: 1 }, cacheDir), 'UNG_ERR_DATASET_CORRUPT');
    assert.deepEqual(data, { file: bad, reason: 'off-vertex', line: 4 });
    const ds = await load({ layout: 'off', root, renderSize: 16, renderJobs: 1, onBadSample: 'skip' }, cacheDir);
    assert.equal(ds.size('train') + ds.size('val'), N_TRAIN - 1);
    assert.equal(ds.describe()['skippedSamples'], 1);
    assert.deepEqual((ds.describe()['badSamples'] as Array<{ reason: string; file: string }>).map((b) => [b.file, b.reason]), [
      ['cone/train/cone_0001.off', 'off-vertex'],
    ]);
  });

  test('an unknown class folder is an error with classes: modelnet40, and a class with from-folders', async () => {
    const { root, cacheDir } = await damaged('unknown-class');
    await copyTree(join(root, 'cone'), join(root, 'pyramid'));
    const data = await expectError(load({ root, classes: 'modelnet40' }, cacheDir), 'UNG_ERR_DATASET_CORRUPT');
    assert.deepEqual(data, { file: join(root, 'pyramid'), reason: 'unknown-class', className: 'pyramid' });
    const ds = await load({ root, classes: 'from-folders' }, cacheDir);
    assert.deepEqual(ds.classNames, ['bottle', 'bowl', 'cone', 'cup', 'pyramid']);
  });

  test('an empty split and a missing root are errors naming the split and folder', async () => {
    const { root, cacheDir } = await damaged('empty-split');
    for (const c of ['bottle', 'bowl', 'cone', 'cup']) await rm(join(root, c, 'test'), { recursive: true });
    // A class folder without its test/ folder is an error of its own (it would shrink the split silently).
    const noSplit = await expectError(load({ root }, cacheDir), 'UNG_ERR_DATASET_MISSING');
    assert.deepEqual([noSplit['reason'], noSplit['className'], noSplit['split']], ['missing-split', 'bottle', 'test']);
    for (const c of ['bottle', 'bowl', 'cone', 'cup']) await mkdir(join(root, c, 'test'));
    assert.deepEqual(await expectError(load({ root }, cacheDir), 'UNG_ERR_DATASET_TOO_SMALL'), { split: 'test', file: root, reason: 'empty-split' });
    const small = await damaged('tiny-train');
    for (const c of ['bowl', 'cone', 'cup']) await rm(join(small.root, c), { recursive: true });
    for (const n of [2, 3, 4, 5]) {
      for (let v = 0; v < 12; v++) await rm(renderFile(small.root, { className: 'bottle', split: 'train', stem: `bottle_000${n}` }, v));
    }
    // One train object: floor(0.2 · 1) = 0 validation objects.
    const val = await expectError(load({ root: small.root }, small.cacheDir), 'UNG_ERR_DATASET_TOO_SMALL');
    assert.equal(val['split'], 'val');
    assert.equal((await load({ root: small.root, validation: { mode: 'fraction', fraction: 0, file: null, seed: 10 } }, small.cacheDir)).size('train'), 1);
    const missing = join(work, 'no-such-root');
    assert.deepEqual(await expectError(load({ root: missing }), 'UNG_ERR_DATASET_MISSING'), { file: missing, reason: 'missing-root' });
    await mkdir(join(work, 'empty-root'));
    assert.equal((await expectError(load({ root: join(work, 'empty-root') }), 'UNG_ERR_DATASET_TOO_SMALL'))['split'], 'train');
  });
});
