import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError, Rng } from '@ungreedy/core';
import type { Batch, BatchRequest, Dataset, SplitName } from '@ungreedy/core';
import { nvgesture, NVGESTURE_DEFAULTS } from './nvgesture.js';
import type { NvGestureOptions } from './nvgesture.js';
import { sampleWindow } from './clip-sampler.js';
import { countingLevel, datasetContext, tempDir, tinyMini, writeCountingRoot } from './test-fixtures/fixtures.js';

async function collect(ds: Dataset, split: SplitName, request: Partial<BatchRequest> = {}): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(split, { batchSize: 2, shuffle: false, augment: false, rng: Rng.fromSeed(3, 'shuffle'), ...request })) {
    out.push(b);
  }
  return out;
}

/** Options as core would pass them: the defaults deep-merged under a config's few keys. */
function opts(o: Partial<NvGestureOptions>): NvGestureOptions {
  return { ...NVGESTURE_DEFAULTS, ...o };
}

// Counting videos: frame i of every video is gray level countingLevel(i), so a batch value tells which source
// frame it came from. Cache 32x24 with 10 frames (= each list range), samples of 4 frames with stride 2.
const COUNTING = opts({
  root: 'root',
  size: { width: 32, height: 24 },
  cacheFrames: 10,
  frames: 4,
  temporalStride: 2,
  crop: { width: 16, height: 16 },
  normalize: { rgb: { mean: [0, 0, 0], std: [1, 1, 1] }, depth: { mean: [0], std: [1] }, ir: { mean: [0], std: [1] } },
});

describe('nvgesture dataset', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeCountingRoot(
      join(dir, 'root'),
      [0, 1, 2, 0, 1].map((label, k) => ({ label, frames: 14 + k, start: k, end: k + 10 })),
      [2, 0, 1].map((label) => ({ label, frames: 10, start: 0, end: 10 })),
    );
    await tinyMini(join(dir, 'mini'));
  });
  after(() => cleanup());

  it('has the declared modalities and batches shaped [B, T, H, W, C]', async () => {
    const ds = await nvgesture.create(COUNTING, datasetContext(dir));
    assert.deepEqual(ds.modalities, [
      { name: 'rgb', shape: [4, 16, 16, 3] },
      { name: 'depth', shape: [4, 16, 16, 1] },
    ]);
    assert.equal(ds.numClasses, 25);
    assert.deepEqual([ds.size('train'), ds.size('val'), ds.size('test')], [5, 0, 3]);
    const batches = await collect(ds, 'train');
    assert.deepEqual(batches.map((b) => b.size), [2, 2, 1]);
    assert.equal(batches[0]!.inputs[0]!.length, 2 * 4 * 16 * 16 * 3);
    assert.equal(batches[0]!.inputs[1]!.length, 2 * 4 * 16 * 16);
    assert.deepEqual(Array.from(batches.flatMap((b) => [...b.labels])), [0, 1, 2, 0, 1]);
    assert.deepEqual(Array.from(batches.flatMap((b) => [...b.indices])), [0, 1, 2, 3, 4]);
    const facts = ds.describe!();
    assert.ok(['env', 'system', 'npm'].includes((facts.ffmpeg as { source: string }).source));
  });

  it('takes the centred window in evaluation and a jittered one in training', async () => {
    const ds = await nvgesture.create(COUNTING, datasetContext(dir));
    // Source frame of sample frame t, read back from a pixel's level.
    const framesOf = (b: Batch, i: number): number[] =>
      Array.from({ length: 4 }, (_, t) => {
        const level = Math.round(b.inputs[1]![i * 4 * 256 + t * 256 + 37]! * 255);
        return (level - countingLevel(0)) / (countingLevel(1) - countingLevel(0));
      });
    // 10 cached frames, window of (4-1)*2+1 = 7: centred start = floor(3/2) = 1.
    const [test] = await collect(ds, 'test');
    assert.deepEqual(framesOf(test!, 0), [1, 3, 5, 7]);
    const starts = new Set<number>();
    for (let seed = 0; seed < 6; seed++) {
      for (const b of await collect(ds, 'train', { augment: true, rng: Rng.fromSeed(seed, 'shuffle') })) {
        for (let i = 0; i < b.size; i++) {
          const f = framesOf(b, i);
          const start = f[0]! - b.indices[i]!; // train clip k starts at source frame k
          assert.deepEqual(f, [start, start + 2, start + 4, start + 6].map((v) => v + b.indices[i]!));
          assert.ok(start >= 0 && start <= 3);
          starts.add(start);
        }
      }
    }
    assert.ok(starts.size >= 3, `jitter should reach several starts, got ${[...starts]}`);
  });

  it('normalises per modality and crops the same place in every modality', async () => {
    const ds = await nvgesture.create(
      {
        ...NVGESTURE_DEFAULTS,
        root: 'mini',
        numClasses: 3,
        size: { width: 32, height: 24 },
        cacheFrames: 10,
        frames: 8,
        temporalStride: 1,
        crop: { width: 24, height: 20 },
        normalize: { rgb: { mean: [0.5, 0.4, 0.3], std: [0.25, 0.25, 0.25] }, depth: { mean: [0.1], std: [0.2] }, ir: NVGESTURE_DEFAULTS.normalize.ir },
      },
      datasetContext(dir),
    );
    const [b] = await collect(ds, 'train', { batchSize: 6, augment: true });
    const rgb = b!.inputs[0]!;
    const depth = b!.inputs[1]!;
    for (let c = 0; c < 3; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = c; i < rgb.length; i += 3) {
        lo = Math.min(lo, rgb[i]!);
        hi = Math.max(hi, rgb[i]!);
      }
      const mean = [0.5, 0.4, 0.3][c]!;
      assert.ok(lo >= -mean / 0.25 - 1e-5 && hi <= (1 - mean) / 0.25 + 1e-5, `channel ${c}: [${lo}, ${hi}]`);
    }
    assert.ok(depth.every((v) => v >= -0.5 - 1e-5 && v <= 4.5 + 1e-5));
    // The blob is brighter than the background in both views; where depth says "hand", rgb is skin-bright.
    let agree = 0;
    let hand = 0;
    for (let p = 0; p < depth.length; p++) {
      if (depth[p]! * 0.2 + 0.1 > 0.3) {
        hand++;
        if (rgb[p * 3]! * 0.25 + 0.5 > 0.35) agree++;
      }
    }
    assert.ok(hand > 0 && agree / hand > 0.9, `${agree}/${hand}`);
  });

  it('repeats a seeded epoch exactly, whatever the prefetch depth and worker count, and resumes with skipBatches', async () => {
    const a = await nvgesture.create({ ...COUNTING, prefetch: 0, workers: 0 }, datasetContext(dir));
    const b = await nvgesture.create({ ...COUNTING, prefetch: 3, workers: 2 }, datasetContext(dir));
    after(async () => {
      await a.dispose!();
      await b.dispose!();
    });
    const req = (): Partial<BatchRequest> => ({ shuffle: true, augment: true, rng: Rng.fromSeed(11, 'shuffle') });
    const ea = await collect(a, 'train', req());
    const eb = await collect(b, 'train', req());
    assert.deepEqual(ea, eb);
    const resumed = await collect(b, 'train', { ...req(), skipBatches: 1 });
    assert.deepEqual(resumed, ea.slice(1));
    const other = await collect(b, 'train', { ...req(), rng: Rng.fromSeed(12, 'shuffle') });
    assert.notDeepEqual(other, ea);
  });

  it('holds out a seeded val split from the train list', async () => {
    const ds = await nvgesture.create({ ...COUNTING, valFraction: 0.4 }, datasetContext(dir, 5));
    const again = await nvgesture.create({ ...COUNTING, valFraction: 0.4 }, datasetContext(dir, 5));
    assert.equal(ds.size('val'), 2);
    assert.equal(ds.size('train'), 3);
    assert.deepEqual(ds.indices('val'), again.indices('val'));
    assert.deepEqual([...ds.indices('train'), ...ds.indices('val')].sort(), [0, 1, 2, 3, 4]);
    const val = await collect(ds, 'val');
    assert.deepEqual(Array.from(val.flatMap((b) => [...b.indices])), Array.from(ds.indices('val')));
  });

  it('prepares lazily into the cache folder, then loads from the cache alone', async () => {
    const ctx = datasetContext(dir);
    const cache = join(dir, 'lazy-cache');
    const first = await nvgesture.create({ ...COUNTING, cache }, ctx);
    assert.deepEqual(first.describe!().prepared, { decoded: 16, skipped: 0 });
    const second = await nvgesture.create({ ...COUNTING, cache }, ctx);
    assert.deepEqual(second.describe!().prepared, { decoded: 0, skipped: 16 });
    // Without a root, only the cache is read: it must not matter that the videos are gone.
    const cacheOnly = await nvgesture.create({ ...COUNTING, root: null, cache }, ctx);
    assert.deepEqual(await collect(cacheOnly, 'test'), await collect(first, 'test'));
    const fresh = await tempDir();
    try {
      await assert.rejects(async () => nvgesture.create({ ...COUNTING, root: null, cache: fresh.dir }, ctx), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'));
        assert.equal(e.data.missing, null);
        return true;
      });
    } finally {
      await fresh.cleanup();
    }
    const folder = first.describe!().cache as string;
    const clips = (await import('node:fs/promises')).readdir(join(folder, 'clips'));
    await rm(join(folder, 'clips', (await clips)[0]!));
    await assert.rejects(async () => nvgesture.create({ ...COUNTING, root: null, cache }, ctx), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'));
      assert.equal(e.data.missing, 1);
      return true;
    });
  });

  it('reports a clip file lost after create, from a worker thread, with its code and file', async () => {
    const ctx = datasetContext(dir);
    const cache = join(dir, 'lost-cache');
    for (const workers of [1, 0]) {
      const ds = await nvgesture.create({ ...COUNTING, cache, workers }, ctx);
      const folder = ds.describe!().cache as string;
      const clip = join(folder, 'clips', (await readdir(join(folder, 'clips'))).sort()[0]!);
      await rm(clip);
      await assert.rejects(collect(ds, 'train', { batchSize: 8 }), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'), String(e));
        assert.equal(e.data.file, clip);
        return true;
      });
      await ds.dispose!();
    }
  });

  it('uses the default cache folder under the run cache when no cache is given', async () => {
    const ctx = datasetContext(dir);
    const ds = await nvgesture.create(COUNTING, ctx);
    assert.ok(String(ds.describe!().cache).startsWith(join(ctx.cacheDir, 'nvgesture')));
  });

  it('rejects options that cannot work together', async () => {
    const ctx = datasetContext(dir);
    await assert.rejects(async () => nvgesture.create({ ...COUNTING, crop: { width: 40, height: 16 } }, ctx), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_CONFIG_INVALID'));
      assert.equal(e.data.pointer, '/dataset/options/crop');
      return true;
    });
    await assert.rejects(
      async () => nvgesture.create({ ...COUNTING, normalize: { ...COUNTING.normalize, depth: { mean: [0, 0], std: [1] } } }, ctx),
      (e: unknown) => isUngreedyError(e, 'UNG_ERR_CONFIG_INVALID') && e.data.pointer === '/dataset/options/normalize/depth',
    );
    // Labels 1..3 in the lists: numClasses 2 is a bad list line when preparing, a bad option on a ready cache.
    await assert.rejects(
      async () => nvgesture.create({ ...COUNTING, numClasses: 2 }, ctx),
      (e: unknown) => isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT') && e.data.line === 3,
    );
    const cache = join(dir, 'classes-cache');
    await nvgesture.create({ ...COUNTING, cache }, ctx);
    await assert.rejects(
      async () => nvgesture.create({ ...COUNTING, root: null, cache, numClasses: 2 }, ctx),
      (e: unknown) => isUngreedyError(e, 'UNG_ERR_CONFIG_INVALID') && e.data.pointer === '/dataset/options/numClasses',
    );
    const fewer = await nvgesture.create({ ...COUNTING, root: null, cache, numClasses: 3 }, ctx);
    assert.equal(fewer.numClasses, 3);
    await assert.rejects(
      async () => nvgesture.create({ ...COUNTING, root: 'does-not-exist' }, ctx),
      (e: unknown) => isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'),
    );
  });

  it('spreads T frames over a clip shorter than the window', () => {
    const w = sampleWindow({ width: 8, height: 8, frames: 4 }, { frames: 8, stride: 1, cropWidth: 8, cropHeight: 8 }, Rng.fromSeed(1));
    assert.deepEqual(w.frames, [0, 0, 1, 1, 2, 2, 3, 3]);
    assert.deepEqual([w.x0, w.y0], [0, 0]);
  });
});
