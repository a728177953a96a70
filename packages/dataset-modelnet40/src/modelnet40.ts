import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  BatchOrder,
  streamBatches,
  UngreedyError,
  type Batch,
  type BatchRequest,
  type Dataset,
  type DatasetContext,
  type DatasetContribution,
  type DatasetDescription,
  type DescribeContext,
  type ModalitySpec,
  type SplitName,
} from '@ungreedy/core';
import schema from './modelnet40.schema.json' with { type: 'json' };
import { referenceSplit } from './cpython-random.js';
import { meshFile, renderFile, scanLayout, SOURCE_SPLITS, type ClassMode, type SourceListing, type SourceObject, type SourceSplit } from './layout.js';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { objectKey, ViewCache, viewCacheKey, type BadSample } from './view-cache.js';
import { decodeRecords, makeLut, type DecodeLayout } from './batch-decoder.js';
import { BatchDecoderWorker } from './batch-decoder-worker.js';

/** Options of the `modelnet40` dataset (docs/modelnet40.md). */
export interface ModelNet40Options {
  readonly root: string;
  readonly layout: 'mvcnn' | 'off';
  readonly classes: ClassMode;
  /** 0-based views, one modality each, named `view<k+1>`: [0, 6] = v001 ("front") and v007 ("rear"). */
  readonly views: readonly number[];
  readonly imageSize: number | null;
  readonly normalize: boolean;
  readonly flip: boolean;
  readonly validation: {
    readonly mode: 'fraction' | 'index-file' | 'reference';
    readonly fraction: number;
    readonly file: string | null;
    /** Seed of CPython's `random.Random` in `reference` mode (the reference code uses 10). */
    readonly seed: number;
  };
  readonly onBadSample: 'error' | 'skip';
  /** Render size for `layout: 'off'`. */
  readonly renderSize: number;
  readonly upAxis: 'y' | 'z';
  /** Worker threads rendering for `layout: 'off'`; 0 = one per CPU core. */
  readonly renderJobs: number;
  /** Batches decoded ahead of the one being trained on. */
  readonly prefetch: number;
  /** Decode batches on a worker thread, in parallel with the training step (else on the main thread). */
  readonly decodeWorker: boolean;
  /** Keep the view cache in memory when it is at most this large; larger caches are read per batch. */
  readonly inMemoryLimitMB: number;
}

export const defaultModelNet40Options: ModelNet40Options = {
  root: 'data/modelnet40_images_new_12x',
  layout: 'mvcnn',
  classes: 'modelnet40',
  views: [0, 6],
  imageSize: null,
  normalize: true,
  flip: true,
  validation: { mode: 'fraction', fraction: 0.2, file: null, seed: 10 },
  onBadSample: 'error',
  renderSize: 224,
  upAxis: 'z',
  renderJobs: 0,
  prefetch: 2,
  decodeWorker: true,
  inMemoryLimitMB: 1024,
};


/**
 * The `modelnet40` dataset contribution: ModelNet40 objects seen from chosen MVCNN views, one modality per
 * view, from the MVCNN renders or from raw OFF meshes (rendered once into the cache).
 */
export const modelnet40: DatasetContribution<ModelNet40Options> = {
  meta: {
    docs: {
      description:
        'ModelNet40 as two (or more) views of each object from the MVCNN 12-view renders or raw OFF meshes, with the reference split.',
      url: 'https://github.com/ungreedy/ungreedy/blob/main/packages/dataset-modelnet40/docs/modelnet40.md',
    },
    defaultOptions: defaultModelNet40Options,
    schema,
  },
  create: (options, ctx) => createModelNet40(options, ctx),
  describe: (options, ctx) => describeModelNet40(options, ctx),
};

/**
 * What `createModelNet40` would hold, from the file listing and one PNG header (no decoding, no cache, no
 * render): the views as modalities, the classes, the test split's size, and a missing or malformed root
 * as a problem at `/root`. `ungreedy validate` and `run` call it before a run folder exists.
 */
export async function describeModelNet40(options: ModelNet40Options, ctx: DescribeContext): Promise<DatasetDescription> {
  const root = resolve(ctx.configDir, options.root);
  let listing: SourceListing;
  try {
    listing = await scanLayout(root, options.layout, options.classes);
  } catch (err) {
    if (err instanceof UngreedyError && err.code.startsWith('UNG_ERR_DATASET_')) {
      return { modalities: [], numClasses: 0, problems: [{ pointer: '/root', message: err.message.replace(/^UNG_ERR_[A-Z_]+: /, '').replace(/\.$/, ''), value: options.root }] };
    }
    throw err;
  }
  let side: [number, number] | null = options.imageSize === null ? null : [options.imageSize, options.imageSize];
  if (side === null && options.layout === 'off') side = [options.renderSize, options.renderSize];
  const first = listing.objects.train[0] ?? listing.objects.test[0];
  if (side === null && first !== undefined) side = await pngSize(renderFile(root, first, options.views[0] ?? 0));
  const [height, width] = side ?? [0, 0];
  return {
    modalities: options.views.map((v) => ({ name: `view${v + 1}`, shape: [height, width, 3] })),
    numClasses: listing.classNames.length,
    // The train split loses its validation objects (and any bad ones) when created; only an empty one is sure.
    sizes: { test: listing.objects.test.length, ...(listing.objects.train.length === 0 ? { train: 0 } : {}) },
  };
}

/** [height, width] from a PNG's IHDR chunk (bytes 16-23), or null when the file is missing or not a PNG. */
async function pngSize(file: string): Promise<[number, number] | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  const head = Buffer.alloc(24);
  try {
    if ((await handle.read(head, 0, 24, 0)).bytesRead < 24) return null;
  } finally {
    await handle.close();
  }
  if (head.toString('latin1', 12, 16) !== 'IHDR') return null;
  return [head.readUInt32BE(20), head.readUInt32BE(16)];
}

/** Builds the dataset: lists the files, decodes or reuses the view cache, and fixes the splits. */
export async function createModelNet40(options: ModelNet40Options, ctx: DatasetContext): Promise<ModelNet40Dataset> {
  const root = resolve(ctx.configDir, options.root);
  let listing: SourceListing;
  let viewRoot = root;
  const knownBad = new Map<string, Omit<BadSample, 'split' | 'position' | 'stem'>>();
  if (options.layout === 'off') {
    listing = await scanLayout(root, 'off', options.classes);
    viewRoot = join(ctx.cacheDir, 'modelnet40', `renders-${await meshListingKey(root, listing, options)}`);
    const prepared = await prepareModelNet40FromOff({
      from: root,
      out: viewRoot,
      size: options.renderSize,
      views: options.views,
      classes: options.classes,
      upAxis: options.upAxis,
      onBadSample: options.onBadSample,
      jobs: options.renderJobs === 0 ? availableParallelism() : options.renderJobs,
      log: ctx.log,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    for (const b of prepared.bad) knownBad.set(objectKey(b.object), { file: b.file, code: b.code as BadSample['code'], reason: b.reason });
  } else {
    listing = await scanLayout(root, 'mvcnn', options.classes);
  }
  for (const split of SOURCE_SPLITS) {
    if (listing.objects[split].length === 0) throw emptySplit(split, root, `no objects in <class>/${split}/ folders`);
  }
  const viewFile = (obj: SourceObject, v: number) => renderFile(viewRoot, obj, v);
  const key = await viewCacheKey(viewRoot, listing, options.views, viewFile, options.imageSize);
  const cache = await ViewCache.openOrBuild({
    file: join(ctx.cacheDir, 'modelnet40', `views-${key}.bin`),
    key,
    listing,
    views: options.views,
    viewFile,
    imageSize: options.imageSize,
    onBadSample: options.onBadSample,
    knownBad,
    inMemoryLimit: options.inMemoryLimitMB * 1024 * 1024,
    log: ctx.log,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  try {
    if (options.onBadSample === 'error' && cache.header.bad.length > 0) {
      // A cache built in skip mode remembers its bad samples; in error mode they are errors again.
      const b = cache.header.bad[0]!;
      throw new UngreedyError(b.code, `sample ${b.stem} is bad (${b.reason}): ${b.file}. Fix: repair the file, or set onBadSample: 'skip'.`, {
        file: b.file,
        reason: b.reason,
      });
    }
    const splits = await makeSplits(options, ctx, listing, cache, root);
    return new ModelNet40Dataset(options, listing, cache, splits, { root, viewRoot, key });
  } catch (err) {
    await cache.close();
    throw err;
  }
}

async function makeSplits(
  options: ModelNet40Options,
  ctx: DatasetContext,
  listing: SourceListing,
  cache: ViewCache,
  root: string,
): Promise<Record<SplitName, Int32Array>> {
  const n = listing.objects.train.length;
  const { mode, fraction } = options.validation;
  let val: number[];
  if (mode === 'reference') {
    val = referenceSplit(n, fraction, options.validation.seed).val;
  } else if (mode === 'fraction') {
    val = ctx.rng.permutation(n).slice(0, Math.floor(fraction * n));
  } else {
    val = await readIndexFile(options, ctx, n);
  }
  const isVal = new Uint8Array(n);
  for (const i of val) isVal[i] = 1;
  const good = (split: SourceSplit, i: number) => cache.header.records[split][i]! >= 0;
  // Validation keeps the listed (or shuffled) order, like the reference's Subset; train and test keep stored order.
  const splits: Record<SplitName, Int32Array> = {
    train: Int32Array.from(range(n).filter((i) => !isVal[i] && good('train', i))),
    val: Int32Array.from(val.filter((i) => good('train', i))),
    test: Int32Array.from(range(listing.objects.test.length).filter((i) => good('test', i))),
  };
  for (const split of ['train', 'test'] as const) {
    if (splits[split].length === 0) throw emptySplit(split, root, 'every object of the split is bad or in validation');
  }
  if (splits.val.length === 0 && !(mode !== 'index-file' && fraction === 0)) {
    throw emptySplit('val', root, `validation ${mode} with fraction ${fraction} of ${n} objects selects none`);
  }
  return splits;
}

async function readIndexFile(options: ModelNet40Options, ctx: DatasetContext, n: number): Promise<number[]> {
  const file = options.validation.file;
  if (file === null) {
    throw new UngreedyError(
      'UNG_ERR_CONFIG_INVALID',
      `dataset option validation.file should name an index file when validation.mode is 'index-file', but got null. Fix: set validation.file.`,
      { pointer: '/dataset/options/validation/file' },
    );
  }
  const path = resolve(ctx.configDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UngreedyError('UNG_ERR_DATASET_MISSING', `validation index file ${path} should exist, but it does not. Fix: set validation.file.`, {
      file: path,
      reason: 'missing-index-file',
    });
  }
  // Either a JSON array, or integers separated by whitespace or commas (one per line, as exported from Python).
  const trimmed = text.trim();
  const values: unknown[] = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split(/[\s,]+/).filter(Boolean).map(Number);
  const seen = new Set<number>();
  for (const v of values) {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= n || seen.has(v as number)) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `validation index file ${path} should list distinct integers in 0..${n - 1} (train objects), but got ${JSON.stringify(v)}. Fix: regenerate the file for this data.`,
        { file: path, reason: 'index-file', value: v },
      );
    }
    seen.add(v as number);
  }
  return values as number[];
}

/** A loaded ModelNet40: splits fixed, views decoded in the cache, batches prefetched. */
export class ModelNet40Dataset implements Dataset {
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  private readonly layout: DecodeLayout;
  private readonly decoder: BatchDecoderWorker | undefined;

  constructor(
    private readonly options: ModelNet40Options,
    private readonly listing: SourceListing,
    private readonly cache: ViewCache,
    private readonly splits: Record<SplitName, Int32Array>,
    private readonly where: { root: string; viewRoot: string; key: string },
  ) {
    const { width, height } = cache.header;
    this.modalities = options.views.map((v) => ({ name: `view${v + 1}`, shape: [height, width, 3] }));
    this.classNames = listing.classNames;
    this.numClasses = listing.classNames.length;
    this.layout = { height, width, views: options.views.length, lut: makeLut(options.normalize) };
    this.decoder = options.decodeWorker
      ? new BatchDecoderWorker({ layout: this.layout, ...(cache.memory ? { memory: cache.memory } : { file: cache.file }) })
      : undefined;
  }

  size(split: SplitName): number {
    return this.splits[split].length;
  }

  indices(split: SplitName): Int32Array {
    return this.splits[split].slice();
  }

  /** The source object behind a split's sample index (class, stem). */
  object(split: SplitName, index: number): SourceObject {
    const obj = this.listing.objects[split === 'test' ? 'test' : 'train'][index];
    if (!obj) throw new RangeError(`ModelNet40Dataset.object: no ${split} sample ${index}.`);
    return obj;
  }

  /**
   * Batches in stored or shuffled order. Every random draw of the epoch is taken before the first batch: the
   * shuffle from `request.rng`, then one flip coin per sample and view, in order, from `request.augmentRng`
   * (else `request.rng`), so prefetching never changes which numbers a batch gets and a resume with
   * `skipBatches` sees the same epoch.
   */
  async *batches(split: SplitName, request: BatchRequest): AsyncIterable<Batch> {
    const ids = this.splits[split];
    const order = BatchOrder.draw(ids.length, request, { dataset: 'modelnet40' });
    const nViews = this.options.views.length;
    const flips = new Uint8Array(ids.length * nViews);
    const augmentRng = request.augmentRng ?? request.rng;
    if (request.augment && this.options.flip) for (let i = 0; i < flips.length; i++) flips[i] = augmentRng.next() < 0.5 ? 1 : 0;
    const source: SourceSplit = split === 'test' ? 'test' : 'train';
    const bs = order.batchSize;
    // Flip coins are numbered by epoch position (i-th sample of the epoch, view v), as before the shared iterator.
    const load = (positions: Int32Array, b: number): Promise<Batch> =>
      this.loadBatch(source, Array.from(positions, (p) => ids[p]!), flips.subarray(b * bs * nViews, (b + 1) * bs * nViews));
    for await (const batch of streamBatches(order, load, {
      prefetch: this.options.prefetch,
      check: { dataset: 'modelnet40', numClasses: this.numClasses, modalities: this.modalities },
    })) {
      // Without the decode worker an in-memory cache resolves every read at once, and a pass would never
      // reach the event loop: give it one turn per batch so Ctrl-C (SIGINT) is acted on within a batch.
      if (!this.decoder) await new Promise<void>((done) => setImmediate(done));
      yield batch;
    }
  }

  private async loadBatch(source: SourceSplit, positions: number[], flips: Uint8Array): Promise<Batch> {
    const records = Int32Array.from(positions, (p) => this.cache.header.records[source][p]!);
    const labels = Int32Array.from(positions, (p) => this.listing.objects[source][p]!.label);
    let inputs: Float32Array[];
    if (this.decoder) {
      inputs = await this.decoder.decode(records, flips.slice());
    } else {
      const recordBytes = this.cache.recordBytes;
      const raw = new Uint8Array(positions.length * recordBytes);
      await Promise.all(Array.from(records, (r, i) => this.cache.read(r, raw, i * recordBytes)));
      inputs = decodeRecords(raw, positions.length, flips, this.layout);
    }
    return { indices: Int32Array.from(positions), inputs, labels, size: positions.length };
  }

  describe(): Record<string, unknown> {
    const bad = this.cache.header.bad;
    return {
      root: this.where.root,
      layout: this.options.layout,
      ...(this.options.layout === 'off' ? { renders: this.where.viewRoot } : {}),
      classes: this.options.classes,
      numClasses: this.numClasses,
      views: this.options.views.map((v) => `v${String(v + 1).padStart(3, '0')}`),
      imageSize: [this.cache.header.height, this.cache.header.width],
      validation: this.options.validation.mode,
      sizes: { train: this.size('train'), val: this.size('val'), test: this.size('test') },
      sourceObjects: { train: this.listing.objects.train.length, test: this.listing.objects.test.length },
      viewCache: { file: this.cache.file, checksum: this.where.key, reused: this.cache.reused },
      skippedSamples: bad.length,
      badSamples: bad.slice(0, 100).map((b) => ({ ...b, file: this.displayFile(b.file) })),
    };
  }

  /** A bad file relative to the data root (meshes) or the render folder (views), for the manifest. */
  private displayFile(file: string): string {
    for (const base of [this.where.viewRoot, this.where.root]) {
      const rel = relative(base, file);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel;
    }
    return file;
  }

  async dispose(): Promise<void> {
    await this.decoder?.close();
    await this.cache.close();
  }
}

function emptySplit(split: SplitName, root: string, why: string): UngreedyError {
  return new UngreedyError(
    'UNG_ERR_DATASET_TOO_SMALL',
    `ModelNet40 split "${split}" under ${root} should hold at least one object, but got none (${why}). Fix: check the root and the validation options.`,
    { split, file: root, reason: 'empty-split' },
  );
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The render folder's key: the OFF files (paths, sizes, times) and the render settings. */
async function meshListingKey(root: string, listing: SourceListing, options: ModelNet40Options): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ renderSize: options.renderSize, upAxis: options.upAxis, renderer: 1 }));
  for (const split of SOURCE_SPLITS) {
    for (const obj of listing.objects[split]) {
      const file = meshFile(root, obj);
      const s = await stat(file);
      hash.update(JSON.stringify([relative(root, file), s.size, Math.round(s.mtimeMs)]));
    }
  }
  return hash.digest('hex').slice(0, 24);
}
