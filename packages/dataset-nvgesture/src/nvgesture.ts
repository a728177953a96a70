import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BatchOrder, streamBatches, UngreedyError } from '@ungreedy/core';
import type { Batch, BatchRequest, Dataset, DatasetContext, DatasetContribution, DatasetDescription, DescribeContext, ModalitySpec, Rng, SplitName } from '@ungreedy/core';
import { cacheFolder, clipFile, missingClips, prepareCache, readManifest, SENSOR_CHANNELS } from './clip-cache.js';
import type { CacheGeometry, CacheManifest, CachedClip } from './clip-cache.js';
import { assembleBatch } from './batch-assembly.js';
import type { AssemblyLayout } from './batch-assembly.js';
import { sampleWindow } from './clip-sampler.js';
import type { ClipShape, ClipWindow } from './clip-sampler.js';
import { ClipWorkers } from './clip-workers.js';
import { ffmpegVersion, findFfmpeg } from './ffmpeg.js';
import { SENSORS } from './list-file.js';
import type { Sensor } from './list-file.js';
import schema from './nvgesture.schema.json' with { type: 'json' };

/** Modality name of each sensor. */
export const MODALITY_OF: Readonly<Record<Sensor, 'rgb' | 'depth' | 'ir'>> = { sk_color: 'rgb', sk_depth: 'depth', duo_left: 'ir' };

export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Options of the `nvgesture` dataset; see docs/nvgesture.md for each one's reasoning. */
export interface NvGestureOptions {
  /** Folder with the .lst files and Video_data/ (relative to the config file). Null: load a prepared cache only. */
  readonly root: string | null;
  /** Base folder of the clip cache (relative to the config file); null: `<cacheDir>/nvgesture/<hash of root>`. */
  readonly cache: string | null;
  readonly lists: 'auto' | 'v2' | 'v1';
  /** One modality per sensor, in this order. */
  readonly sensors: readonly Sensor[];
  readonly numClasses: number;
  /** Frame size in the cache. */
  readonly size: { readonly width: number; readonly height: number };
  /** Frames kept per clip in the cache (the list's range resampled evenly). */
  readonly cacheFrames: number;
  /** T: frames per sample. */
  readonly frames: number;
  /** Cached frames between consecutive sample frames. */
  readonly temporalStride: number;
  readonly crop: { readonly width: number; readonly height: number };
  /** Per modality name (`rgb`, `depth`, `ir`): mean and std per channel, on values scaled to [0, 1]. */
  readonly normalize: Readonly<Record<'rgb' | 'depth' | 'ir', Normalisation>>;
  /** Share of the train list held out as the val split, drawn from the run's data stream; 0: val is empty. */
  readonly valFraction: number;
  /** Batches loaded ahead of the consumer. */
  readonly prefetch: number;
  /** Worker threads assembling batches in parallel with training; 0 assembles them on the main thread. */
  readonly workers: number;
  /** Parallel ffmpeg processes when the cache is prepared lazily. */
  readonly concurrency: number;
  /** `lazy`: decode missing clips into the cache on create; `never`: fail if the cache is incomplete. */
  readonly prepare: 'lazy' | 'never';
}

/**
 * Defaults sized for CPU runs: a 160×120 cache keeping 40 of a gesture's ~80 frames, and 16-frame samples
 * taken every second cached frame, so one sample spans 31 cached frames (~62 source frames, close to the
 * 64-of-80 window of the MTUT/MMTM pipelines) with 9 frames of temporal jitter. The paper-style recipe
 * uses a 298×224 cache of 80 frames, 64-frame samples and 224×224 crops (recipes/nvgesture-scratch.yaml).
 * Normalisation maps [0, 1] to [-1, 1], the input range of the public I3D weights.
 */
export const NVGESTURE_DEFAULTS: NvGestureOptions = {
  root: null,
  cache: null,
  lists: 'auto',
  sensors: ['sk_color', 'sk_depth'],
  numClasses: 25,
  size: { width: 160, height: 120 },
  cacheFrames: 40,
  frames: 16,
  temporalStride: 2,
  crop: { width: 112, height: 112 },
  normalize: {
    rgb: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    depth: { mean: [0.5], std: [0.5] },
    ir: { mean: [0.5], std: [0.5] },
  },
  valFraction: 0,
  prefetch: 2,
  workers: 1,
  concurrency: 2,
  prepare: 'lazy',
};

interface Plan {
  readonly ids: readonly number[];
  readonly windows: readonly ClipWindow[];
}

/** NVGesture clips from the clip cache, as [B, T, H, W, C] float32 batches. */
export class NvGestureDataset implements Dataset {
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  private readonly shape: ClipShape;
  private readonly layout: AssemblyLayout;
  private readonly split: Readonly<Record<SplitName, Int32Array>>;
  private pool: ClipWorkers | undefined;

  constructor(
    private readonly options: NvGestureOptions,
    private readonly manifest: CacheManifest,
    private readonly folder: string,
    valRng: Rng,
    private readonly facts: Record<string, unknown>,
  ) {
    const o = options;
    this.numClasses = o.numClasses;
    this.shape = { frames: o.frames, stride: o.temporalStride, cropWidth: o.crop.width, cropHeight: o.crop.height };
    this.modalities = nvGestureModalities(o);
    this.layout = {
      geometry: manifest.geometry,
      shape: this.shape,
      modalities: o.sensors.map((s) => ({ channels: SENSOR_CHANNELS[s], norm: o.normalize[MODALITY_OF[s]] })),
    };
    const nTrain = manifest.splits.train.length;
    const nVal = Math.floor(o.valFraction * nTrain);
    const perm = nVal > 0 ? valRng.permutation(nTrain) : [];
    const isVal = new Set(perm.slice(0, nVal));
    const all = Array.from({ length: nTrain }, (_, i) => i);
    this.split = {
      train: Int32Array.from(all.filter((i) => !isVal.has(i))),
      val: Int32Array.from(all.filter((i) => isVal.has(i))),
      test: Int32Array.from(manifest.splits.test.map((_, i) => i)),
    };
  }

  get geometry(): CacheGeometry {
    return this.manifest.geometry;
  }

  size(split: SplitName): number {
    return this.split[split].length;
  }

  indices(split: SplitName): Int32Array {
    return this.split[split].slice();
  }

  /**
   * Yields the split's batches. Training requests (`augment`) draw each sample's temporal window and crop from a
   * stream forked off `request.augmentRng` (else `request.rng`) when the epoch starts, so how far prefetching runs ahead never changes a
   * draw; evaluation requests take the centred window and crop. Batches are loaded `prefetch` ahead.
   */
  async *batches(split: SplitName, request: BatchRequest): AsyncIterable<Batch> {
    const ids = this.split[split];
    const order = BatchOrder.draw(ids.length, request, { dataset: 'nvgesture' });
    const augment = request.augment ? (request.augmentRng ?? request.rng).fork('nvgesture/augment') : undefined;
    const clips = split === 'test' ? this.manifest.splits.test : this.manifest.splits.train;
    const plan = (positions: Int32Array): Plan => {
      const batchIds = Array.from(positions, (p) => ids[p]!);
      return { ids: batchIds, windows: batchIds.map(() => sampleWindow(this.geometry, this.shape, augment)) };
    };
    yield* streamBatches(order, (positions) => this.load(clips, plan(positions)), {
      prefetch: this.options.prefetch,
      // Skipped batches still draw their windows, so a resumed epoch continues with the same draws.
      skipped: (positions) => void plan(positions),
      check: { dataset: 'nvgesture', numClasses: this.numClasses, modalities: this.modalities },
    });
  }

  private async load(clips: readonly CachedClip[], plan: Plan): Promise<Batch> {
    const jobs = plan.ids.map((id, i) => ({
      files: this.options.sensors.map((sensor) => clipFile(this.folder, clips[id]!, sensor)),
      window: plan.windows[i]!,
    }));
    if (this.options.workers > 0) this.pool ??= new ClipWorkers(this.options.workers);
    const inputs = this.pool ? await this.pool.assemble(this.layout, jobs) : await assembleBatch(this.layout, jobs);
    return {
      indices: Int32Array.from(plan.ids),
      inputs,
      labels: Int32Array.from(plan.ids, (id) => clips[id]!.label),
      size: plan.ids.length,
    };
  }

  /** Ends the worker threads (idle ones never keep the process alive, so this is tidiness, not a must). */
  async dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  describe(): Record<string, unknown> {
    return {
      ...this.facts,
      cache: this.folder,
      geometry: this.geometry,
      lists: this.manifest.lists,
      sensors: this.options.sensors,
      clips: { train: this.size('train'), val: this.size('val'), test: this.size('test') },
    };
  }
}

function invalid(option: string, expectation: string, got: unknown): UngreedyError {
  return new UngreedyError(
    'UNG_ERR_CONFIG_INVALID',
    `dataset option /${option} should be ${expectation}, but got ${JSON.stringify(got)}. Fix: change it in the config.`,
    { pointer: `/dataset/options/${option}`, value: got },
  );
}

/** Checks what the schema cannot: crop within the cache size, one normalisation entry per channel. */
function checkOptions(o: NvGestureOptions): void {
  if (o.crop.width > o.size.width || o.crop.height > o.size.height) {
    throw invalid('crop', `at most the cache size ${o.size.width}x${o.size.height}`, o.crop);
  }
  if (new Set(o.sensors).size !== o.sensors.length || o.sensors.length === 0) {
    throw invalid('sensors', `distinct names from ${SENSORS.join(', ')}`, o.sensors);
  }
  for (const s of o.sensors) {
    const m = MODALITY_OF[s];
    const n = o.normalize[m];
    const c = SENSOR_CHANNELS[s];
    if (n.mean.length !== c || n.std.length !== c || n.std.some((v) => v <= 0)) {
      throw invalid(`normalize/${m}`, `${c} means and ${c} positive stds`, n);
    }
  }
}

/**
 * Creates the dataset: makes sure the clip cache holds every clip of the selected sensors (decoding the
 * missing ones when `root` is given and `prepare` is `lazy`), then serves batches from the cache only.
 */
export async function createNvGesture(o: NvGestureOptions, ctx: DatasetContext): Promise<NvGestureDataset> {
  checkOptions(o);
  const root = o.root === null ? null : resolve(ctx.configDir, o.root);
  const base =
    o.cache !== null
      ? resolve(ctx.configDir, o.cache)
      : resolve(ctx.cacheDir, 'nvgesture', createHash('sha1').update(root ?? '').digest('hex').slice(0, 12));
  const geometry = { width: o.size.width, height: o.size.height, frames: o.cacheFrames };
  const folder = cacheFolder(base, geometry);
  const ffmpeg = findFfmpeg();
  let manifest: CacheManifest | undefined;
  let prepared: Record<string, number> | null = null;
  if (root !== null && o.prepare === 'lazy') {
    // Cheap when the cache is complete (it re-reads the lists and skips every cached clip), and it keeps
    // the manifest in step with the list files.
    ctx.log.info({ root, folder, ffmpeg: ffmpeg.path, ffmpegSource: ffmpeg.source }, 'nvgesture prepare check');
    const res = await prepareCache({
      root,
      out: base,
      geometry,
      sensors: o.sensors,
      lists: o.lists,
      numClasses: o.numClasses,
      concurrency: o.concurrency,
      log: ctx.log,
      progress: 'lines',
      // Ctrl-C during the first load: the clips in flight are written whole, then the run ends interrupted.
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    if (res.aborted) ctx.signal?.throwIfAborted();
    manifest = res.manifest;
    prepared = { decoded: res.decoded, skipped: res.skipped };
  } else {
    manifest = await readManifest(folder);
    const missing = manifest ? missingClips(manifest, folder, o.sensors).length : null;
    if (!manifest || missing) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_MISSING',
        `NVGesture clip cache "${folder}" should hold every clip of ${o.sensors.join(', ')}, but ` +
          `${manifest ? `${missing} clip files are missing` : 'it has no manifest.json'}. ` +
          'Fix: run `ungreedy prepare nvgesture <root> --out <cache>` with the same --size and --frames, or set `root`.',
        { folder, missing },
      );
    }
  }
  // The cache may have been prepared with a larger --classes than this config's numClasses; the labels decide.
  const maxLabel = Math.max(...manifest.splits.train.map((c) => c.label), ...manifest.splits.test.map((c) => c.label));
  if (maxLabel >= o.numClasses) {
    throw invalid('numClasses', `above every label in the cache (largest ${maxLabel + 1}, 1-based)`, o.numClasses);
  }
  for (const [split, clips] of [['train', manifest.splits.train], ['test', manifest.splits.test]] as const) {
    if (clips.length === 0) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_TOO_SMALL',
        `NVGesture ${split} list should hold at least one clip, but it is empty. Fix: check the list files.`,
        { split, folder },
      );
    }
  }
  ctx.log.info(
    { folder, train: manifest.splits.train.length, test: manifest.splits.test.length, ffmpegSource: ffmpeg.source },
    'nvgesture loaded',
  );
  return new NvGestureDataset(o, manifest, folder, ctx.rng.fork('nvgesture/val-split'), {
    ffmpeg: { path: ffmpeg.path, source: ffmpeg.source, version: await ffmpegVersion() },
    root,
    prepared,
  });
}

/** One modality per sensor: [frames, crop height, crop width, channels] (shared by the dataset and describe()). */
export function nvGestureModalities(o: NvGestureOptions): ModalitySpec[] {
  return o.sensors.map((s) => ({ name: MODALITY_OF[s], shape: [o.frames, o.crop.height, o.crop.width, SENSOR_CHANNELS[s]] }));
}

/**
 * What `createNvGesture` would serve, without decoding: the option checks, the modalities, and whether the
 * data root (or, without one, the clip cache) exists. `ungreedy validate` calls it.
 */
export async function describeNvGesture(o: NvGestureOptions, ctx: DescribeContext): Promise<DatasetDescription> {
  checkOptions(o);
  const problems: { pointer: string; message: string; value?: unknown }[] = [];
  // create reads the root only to prepare lazily; otherwise the clip cache must be there.
  if (o.root !== null && o.prepare === 'lazy') {
    const root = resolve(ctx.configDir, o.root);
    if (!(await isFolder(root))) problems.push({ pointer: '/root', message: `must be the NVGesture folder (with the .lst files and Video_data/), but ${root} does not exist`, value: o.root });
  } else if (o.cache !== null) {
    const cache = resolve(ctx.configDir, o.cache);
    if (!(await isFolder(cache))) problems.push({ pointer: '/cache', message: `must be a prepared clip cache (ungreedy prepare nvgesture), but ${cache} does not exist; or set root`, value: o.cache });
  }
  return { modalities: nvGestureModalities(o), numClasses: o.numClasses, problems };
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

export const nvgesture: DatasetContribution<NvGestureOptions> = {
  meta: {
    docs: {
      description: 'NVGesture RGB + depth (+ infrared) gesture clips from the official lists, via a clip cache decoded with ffmpeg.',
      url: 'https://github.com/ungreedy/ungreedy/blob/main/packages/dataset-nvgesture/docs/nvgesture.md',
    },
    defaultOptions: NVGESTURE_DEFAULTS,
    schema,
  },
  create: createNvGesture,
  describe: describeNvGesture,
};
