import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sweepStaleAtomicTemps, UngreedyError, writeFileAtomicAsync } from '@ungreedy/core';
import type { Logger } from '@ungreedy/core';
import { decodeFrames, findFfmpeg } from './ffmpeg.js';
import type { FfmpegInfo } from './ffmpeg.js';
import { findListFiles, readList } from './list-file.js';
import type { ListEntry, Sensor, SensorRange } from './list-file.js';

/**
 * The clip cache: each clip's frame range decoded once, resampled to a fixed frame count and size, stored
 * as uint8 with a 32-byte header, one file per clip and sensor:
 *
 * ```
 * <base>/<W>x<H>-f<F>/manifest.json          lists, labels and frame ranges (written first)
 * <base>/<W>x<H>-f<F>/clips/<clip>.<sensor>.<start>-<end>.u8
 * ```
 *
 * Every file is written to a temporary name and renamed (core's `writeFileAtomicAsync`, fsynced), so a killed
 * prepare leaves whole files or none; a later prepare skips the clips whose files exist and removes the stray
 * temporaries of dead writers (core's `sweepStaleAtomicTemps`).
 */

/** Channels kept per sensor: colour keeps RGB; depth and infrared keep channel 0 (the official reader's choice). */
export const SENSOR_CHANNELS: Readonly<Record<Sensor, 1 | 3>> = { sk_color: 3, sk_depth: 1, duo_left: 1 };

/** Resolution and frame count of a cache. */
export interface CacheGeometry {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
}

/** One clip as the cache manifest records it. */
export interface CachedClip {
  /** File-name-safe id derived from the clip folder. */
  readonly id: string;
  readonly path: string;
  readonly label: number;
  readonly sensors: Readonly<Partial<Record<Sensor, SensorRange>>>;
}

export interface CacheManifest {
  readonly format: 'ungreedy-nvgesture-cache';
  readonly version: 1;
  readonly geometry: CacheGeometry;
  readonly numClasses: number;
  readonly lists: { readonly variant: 'v2' | 'v1'; readonly train: string; readonly test: string };
  /** The dataset root it was prepared from (informational: loading never reads it). */
  readonly root: string;
  readonly splits: { readonly train: readonly CachedClip[]; readonly test: readonly CachedClip[] };
}

const MAGIC = 0x4347564e; // "NVGC" little-endian
const HEADER_BYTES = 32;
const MANIFEST = 'manifest.json';

/** The cache folder for a geometry under a base folder. */
export function cacheFolder(base: string, g: CacheGeometry): string {
  return join(base, `${g.width}x${g.height}-f${g.frames}`);
}

export function clipId(path: string): string {
  return path.replace(/^Video_data\//, '').replace(/[^A-Za-z0-9_-]+/g, '__');
}

/** The cache file of one clip's sensor; the range is in the name, so a changed list never reuses a stale file. */
export function clipFile(folder: string, clip: CachedClip, sensor: Sensor): string {
  const r = clip.sensors[sensor];
  if (!r) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `clip "${clip.path}" should have a "${sensor}" range in its list line, but it has none. ` +
        'Fix: drop that sensor from `sensors` or repair the list.',
      { clip: clip.path, sensor },
    );
  }
  return join(folder, 'clips', `${clip.id}.${sensor}.${r.start}-${r.end}.u8`);
}

/**
 * Source frame index of each of `count` output frames when a range of `length` frames is resampled:
 * centres of equal bins, so equal lengths map to the identity and shorter ranges repeat frames.
 */
export function resampleIndices(length: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.min(length - 1, Math.floor(((i + 0.5) * length) / count)));
}

function encodeClip(frames: Uint8Array, g: CacheGeometry, channels: number, range: SensorRange): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + frames.length);
  const view = new DataView(out.buffer);
  [MAGIC, 1, g.frames, g.height, g.width, channels, range.start, range.end].forEach((v, i) => view.setUint32(i * 4, v, true));
  out.set(frames, HEADER_BYTES);
  return out;
}

/** Reads one cached clip: [frames, height, width, channels] uint8. Throws UNG_ERR_DATASET_CORRUPT on any mismatch. */
export async function readClip(file: string, g: CacheGeometry, channels: number): Promise<Uint8Array> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      `cached clip "${file}" should exist, but it does not. Fix: run \`ungreedy prepare nvgesture\` again.`,
      { file },
      { cause: e },
    );
  }
  const want = HEADER_BYTES + g.frames * g.height * g.width * channels;
  const view = new DataView(buf.buffer, buf.byteOffset, Math.min(buf.length, HEADER_BYTES));
  const header = buf.length >= HEADER_BYTES ? [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(i * 4, true)) : [];
  const expected = [MAGIC, 1, g.frames, g.height, g.width, channels];
  if (buf.length !== want || expected.some((v, i) => header[i] !== v)) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `cached clip "${file}" should hold ${want} bytes of ${g.frames}x${g.height}x${g.width}x${channels} frames, ` +
        `but got ${buf.length} bytes with header [${header.join(', ')}]. Fix: delete the file and prepare again.`,
      { file, bytes: buf.length, expectedBytes: want },
    );
  }
  return new Uint8Array(buf.buffer, buf.byteOffset + HEADER_BYTES, want - HEADER_BYTES);
}

/**
 * Decodes one clip's sensor range and writes its cache file. The range is decoded exactly, then
 * resampled to the cache's frame count (see {@link resampleIndices}) and channel count.
 */
export async function cacheClip(root: string, folder: string, clip: CachedClip, sensor: Sensor, g: CacheGeometry): Promise<void> {
  const range = clip.sensors[sensor]!;
  const video = join(root, clip.path, `${range.file}.avi`);
  const decoded = await decodeFrames(video, range, g);
  const channels = SENSOR_CHANNELS[sensor];
  const plane = g.width * g.height;
  const frames = new Uint8Array(g.frames * plane * channels);
  resampleIndices(decoded.count, g.frames).forEach((src, t) => {
    const from = src * plane * 3;
    const to = t * plane * channels;
    if (channels === 3) frames.set(decoded.data.subarray(from, from + plane * 3), to);
    else for (let p = 0; p < plane; p++) frames[to + p] = decoded.data[from + p * 3]!;
  });
  await writeFileAtomicAsync(clipFile(folder, clip, sensor), encodeClip(frames, g, channels, range));
}

function toCached(e: ListEntry): CachedClip {
  return { id: clipId(e.path), path: e.path, label: e.label, sensors: e.sensors };
}

/** Reads a cache folder's manifest, or undefined when there is none. */
export async function readManifest(folder: string): Promise<CacheManifest | undefined> {
  const file = join(folder, MANIFEST);
  if (!existsSync(file)) return undefined;
  let m: CacheManifest;
  try {
    m = JSON.parse(await readFile(file, 'utf8')) as CacheManifest;
  } catch (e) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `cache manifest "${file}" should be JSON, but it does not parse. Fix: delete the cache folder and prepare again.`,
      { file },
      { cause: e },
    );
  }
  if (m.format !== 'ungreedy-nvgesture-cache' || m.version !== 1) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `cache manifest "${file}" should be an ungreedy-nvgesture-cache version 1, but got ${String(m.format)} ${String(m.version)}.`,
      { file },
    );
  }
  return m;
}

/** Clip × sensor pairs whose cache file does not exist yet. */
export function missingClips(manifest: CacheManifest, folder: string, sensors: readonly Sensor[]): Array<[CachedClip, Sensor]> {
  const out: Array<[CachedClip, Sensor]> = [];
  for (const clip of [...manifest.splits.train, ...manifest.splits.test]) {
    for (const sensor of sensors) if (!existsSync(clipFile(folder, clip, sensor))) out.push([clip, sensor]);
  }
  return out;
}

export interface PrepareOptions {
  /** Dataset root: the .lst files and Video_data/. */
  readonly root: string;
  /** Cache base folder; the cache goes into `cacheFolder(out, geometry)`. */
  readonly out: string;
  readonly geometry: CacheGeometry;
  readonly sensors: readonly Sensor[];
  readonly lists: 'auto' | 'v2' | 'v1';
  readonly numClasses: number;
  /** Parallel ffmpeg processes. */
  readonly concurrency: number;
  readonly log: Logger;
  /** Draw a progress bar on this stream (a TTY), or log every tenth of the work. */
  readonly progress: 'bar' | 'lines' | 'none';
  /** Stops after the clips in flight are written; the cache stays resumable. */
  readonly signal?: AbortSignal;
  /** Called after each clip file is written (tests count decodes with it). */
  readonly onClip?: (clip: CachedClip, sensor: Sensor) => void;
}

export interface PrepareResult {
  readonly folder: string;
  readonly manifest: CacheManifest;
  readonly total: number;
  readonly decoded: number;
  readonly skipped: number;
  readonly aborted: boolean;
  readonly ffmpeg: FfmpegInfo;
}

/**
 * Decodes every clip of the train and test lists into the clip cache, skipping clips already cached.
 * Errors (a bad list line, a missing video, a range past the video's end, an ffmpeg failure) stop the work
 * once the clips in flight are done, and leave no partial file behind.
 */
export async function prepareCache(opts: PrepareOptions): Promise<PrepareResult> {
  const { root, geometry: g, sensors, log } = opts;
  const lists = findListFiles(root, opts.lists);
  const train = await readList(lists.train, opts.numClasses);
  const test = await readList(lists.test, opts.numClasses);
  const folder = cacheFolder(opts.out, g);
  await mkdir(join(folder, 'clips'), { recursive: true });
  await sweepStaleAtomicTemps(join(folder, 'clips'));
  const manifest: CacheManifest = {
    format: 'ungreedy-nvgesture-cache',
    version: 1,
    geometry: { width: g.width, height: g.height, frames: g.frames },
    numClasses: opts.numClasses,
    lists: { variant: lists.variant, train: basename(lists.train), test: basename(lists.test) },
    root,
    splits: { train: train.map(toCached), test: test.map(toCached) },
  };
  // Check every selected sensor has a range before decoding anything, so a bad list fails fast.
  for (const [name, clips] of [['train', train], ['test', test]] as const) {
    for (const e of clips) {
      for (const s of sensors) {
        if (!e.sensors[s]) {
          const file = name === 'train' ? lists.train : lists.test;
          throw new UngreedyError(
            'UNG_ERR_DATASET_CORRUPT',
            `${file}:${e.line} should have a "${s}" sensor token, but it has none. Fix: drop "${s}" from the sensors.`,
            { file, line: e.line, sensor: s },
          );
        }
      }
    }
  }
  await writeFileAtomicAsync(join(folder, MANIFEST), `${JSON.stringify(manifest)}\n`);

  const todo = missingClips(manifest, folder, sensors);
  const total = (train.length + test.length) * sensors.length;
  const skipped = total - todo.length;
  const ffmpeg = findFfmpeg();
  log.info({ folder, total, skipped, ffmpeg: ffmpeg.path, ffmpegSource: ffmpeg.source }, 'nvgesture prepare start');
  const bar = new Progress(opts.progress, total, skipped, log);
  let decoded = 0;
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !opts.signal?.aborted && next < todo.length) {
      const [clip, sensor] = todo[next++]!;
      try {
        await cacheClip(root, folder, clip, sensor, g);
      } catch (e) {
        failure ??= e;
        return;
      }
      decoded++;
      bar.tick();
      opts.onClip?.(clip, sensor);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, todo.length)) }, worker));
  bar.done();
  // Ctrl-C also reaches the ffmpeg children (one process group): a clip they fail on then is the interruption.
  if (failure !== undefined && !opts.signal?.aborted) throw failure;
  const aborted = decoded + skipped < total;
  log.info({ folder, decoded, skipped, aborted }, 'nvgesture prepare end');
  return { folder, manifest, total, decoded, skipped, aborted, ffmpeg };
}

/** Size of a cache folder's clip files, for describe(). */
export async function cacheBytes(folder: string): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(join(folder, 'clips'))) bytes += (await stat(join(folder, 'clips', name))).size;
  return bytes;
}

/** A one-line progress bar on stderr (a TTY), or a log line every tenth of the work. */
class Progress {
  private count: number;
  private readonly already: number;
  private lastDecile: number;
  private readonly started = Date.now();
  constructor(
    private readonly mode: 'bar' | 'lines' | 'none',
    private readonly total: number,
    already: number,
    private readonly log: Logger,
  ) {
    this.count = already;
    this.already = already;
    this.lastDecile = Math.floor((10 * already) / Math.max(1, total));
  }

  tick(): void {
    this.count++;
    if (this.mode === 'bar') {
      const width = 30;
      const filled = Math.round((width * this.count) / this.total);
      const rate = (this.count - this.already) / Math.max(0.001, (Date.now() - this.started) / 1000);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.count}/${this.total} clips  ${rate.toFixed(1)}/s `,
      );
    } else if (this.mode === 'lines') {
      const decile = Math.floor((10 * this.count) / this.total);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.log.info({ done: this.count, total: this.total }, 'nvgesture prepare progress');
      }
    }
  }

  done(): void {
    if (this.mode === 'bar') process.stderr.write('\n');
  }
}

