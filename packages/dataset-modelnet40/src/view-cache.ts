import buffer from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { isUngreedyError, sweepStaleAtomicTemps, UngreedyError, writeFileAtomicAsync, type ErrorCode, type Logger } from '@ungreedy/core';
import { decodePng, resizeRgb, type RgbImage } from './image-io.js';
import { SOURCE_SPLITS, type SourceListing, type SourceObject, type SourceSplit } from './layout.js';
import { Progress } from './progress.js';

/** A sample that could not be loaded, as kept in the cache and reported by `describe()`. */
export interface BadSample {
  readonly split: SourceSplit;
  /** Position of the object in its source split's listing. */
  readonly position: number;
  readonly stem: string;
  readonly file: string;
  readonly code: ErrorCode;
  readonly reason: string;
}

/** The cache file's trailer JSON: what the records are and which objects they belong to. */
export interface ViewCacheHeader {
  readonly format: typeof FORMAT;
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly views: readonly number[];
  /** Per source split, the record of each listed object (-1 for a bad one). */
  readonly records: Readonly<Record<SourceSplit, readonly number[]>>;
  readonly bad: readonly BadSample[];
}

const FORMAT = 'ungreedy-modelnet40-views/1';
const MAGIC = Buffer.from('UNGMN40\0', 'latin1');
const TRAILER = 16;

/**
 * Decoded views of every object as one flat uint8 file: record r holds `views × height × width × 3` bytes
 * (HWC, RGB), records in listing order (train, then test), followed by a JSON header and a 16-byte trailer
 * (magic, header length). Loading a split is then a few positioned reads instead of PNG decoding.
 */
export class ViewCache {
  private constructor(
    readonly file: string,
    readonly header: ViewCacheHeader,
    private readonly handle: FileHandle | undefined,
    /** The whole file when it fits `inMemoryLimit`, in shared memory so a decode worker can read it too. */
    readonly memory: Uint8Array | undefined,
    /** Whether this call found the cache already built. */
    readonly reused: boolean,
  ) {}

  get recordBytes(): number {
    return this.header.views.length * this.header.height * this.header.width * 3;
  }

  /** Reads one record (all views of one object) into `out` at `offset`. */
  async read(record: number, out: Uint8Array, offset = 0): Promise<void> {
    const n = this.recordBytes;
    if (this.memory) {
      out.set(this.memory.subarray(record * n, (record + 1) * n), offset);
      return;
    }
    const { bytesRead } = await this.handle!.read(out, offset, n, record * n);
    if (bytesRead !== n) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `view cache ${this.file} should hold record ${record} (${n} bytes), but got ${bytesRead} bytes. Fix: delete the file; it is rebuilt on the next run.`,
        { file: this.file, reason: 'cache-truncated', record },
      );
    }
  }

  private closed = false;

  /** Closes the file (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle?.close();
  }

  /**
   * Opens the cache for `key` if a valid one exists, else decodes every listed object's views and writes it
   * (to a temporary file renamed at the end, so a failed or interrupted build leaves nothing behind).
   */
  static async openOrBuild(args: {
    readonly file: string;
    readonly key: string;
    readonly listing: SourceListing;
    readonly views: readonly number[];
    readonly viewFile: (obj: SourceObject, view: number) => string;
    readonly imageSize: number | null;
    readonly onBadSample: 'error' | 'skip';
    /** Objects known to be bad before decoding (a malformed OFF in the `off` layout). */
    readonly knownBad?: ReadonlyMap<string, Omit<BadSample, 'split' | 'position' | 'stem'>>;
    /** Keep the whole file in memory when it is at most this many bytes. */
    readonly inMemoryLimit: number;
    readonly log: Logger;
    /** Once aborted, the build stops before the next object and rejects with `signal.reason`, leaving no file. */
    readonly signal?: AbortSignal;
  }): Promise<ViewCache> {
    let header = await readHeader(args.file, args.key).catch(() => undefined);
    const reused = header !== undefined;
    if (!header) header = await build(args);
    else args.log.info({ file: args.file }, 'modelnet40 view cache reused');
    const size = (await stat(args.file)).size;
    if (size <= Math.min(args.inMemoryLimit, buffer.constants.MAX_LENGTH)) {
      const memory = new Uint8Array(new SharedArrayBuffer(size));
      const handle = await open(args.file, 'r');
      try {
        for (let at = 0; at < size; ) {
          const { bytesRead } = await handle.read(memory, at, Math.min(size - at, 1 << 30), at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return new ViewCache(args.file, header, undefined, memory, reused);
    }
    return new ViewCache(args.file, header, await open(args.file, 'r'), undefined, reused);
  }
}

/**
 * The cache key: a checksum of everything the records depend on — each view file's path (relative to
 * the root), size and modification time, the views, and the image size.
 */
export async function viewCacheKey(
  root: string,
  listing: SourceListing,
  views: readonly number[],
  viewFile: (obj: SourceObject, view: number) => string,
  imageSize: number | null,
): Promise<string> {
  const files: string[] = [];
  for (const split of SOURCE_SPLITS) for (const obj of listing.objects[split]) for (const v of views) files.push(viewFile(obj, v));
  const stats: Array<[string, number, number] | [string, null]> = new Array(files.length);
  const chunk = 256;
  for (let i = 0; i < files.length; i += chunk) {
    await Promise.all(
      files.slice(i, i + chunk).map(async (f, k) => {
        const s = await stat(f).catch(() => undefined);
        stats[i + k] = s ? [relative(root, f), s.size, Math.round(s.mtimeMs)] : [relative(root, f), null];
      }),
    );
  }
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: FORMAT, views, imageSize, classes: listing.classNames }));
  for (const s of stats) hash.update(JSON.stringify(s));
  return hash.digest('hex').slice(0, 32);
}

async function readHeader(file: string, key: string): Promise<ViewCacheHeader | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < TRAILER) return undefined;
    const trailer = Buffer.alloc(TRAILER);
    await handle.read(trailer, 0, TRAILER, size - TRAILER);
    if (!trailer.subarray(0, 8).equals(MAGIC)) return undefined;
    const jsonLength = trailer.readUInt32LE(8);
    if (jsonLength + TRAILER > size) return undefined;
    const json = Buffer.alloc(jsonLength);
    await handle.read(json, 0, jsonLength, size - TRAILER - jsonLength);
    const header = JSON.parse(json.toString('utf8')) as ViewCacheHeader;
    if (header.format !== FORMAT || header.key !== key) return undefined;
    const records = header.records.train.filter((r) => r >= 0).length + header.records.test.filter((r) => r >= 0).length;
    const recordBytes = header.views.length * header.height * header.width * 3;
    if (records * recordBytes + jsonLength + TRAILER !== size) return undefined;
    return header;
  } finally {
    await handle.close();
  }
}

async function build(args: Parameters<typeof ViewCache.openOrBuild>[0]): Promise<ViewCacheHeader> {
  await mkdir(dirname(args.file), { recursive: true });
  const swept = await sweepStaleAtomicTemps(dirname(args.file), 'views-');
  if (swept > 0) args.log.info({ folder: dirname(args.file), removed: swept }, 'removed partial view caches of interrupted loads');
  const total = args.listing.objects.train.length + args.listing.objects.test.length;
  const progress = new Progress('decode', total, { log: args.log });
  const started = Date.now();
  let width = 0;
  let height = 0;
  let next = 0;
  let position = 0;
  const records: Record<SourceSplit, number[]> = { train: [], test: [] };
  const bad: BadSample[] = [];
  // Not fsynced: the cache is rebuilt from the images whenever it is missing or does not check out.
  const header = await writeFileAtomicAsync(
    args.file,
    async (handle) => {
      for (const split of SOURCE_SPLITS) {
        const objects = args.listing.objects[split];
        // Read the next object's files while this one decodes.
        let pending = objects.length > 0 ? readViews(objects[0]!, args) : undefined;
        pending?.catch(() => undefined);
        for (const [i, obj] of objects.entries()) {
          args.signal?.throwIfAborted();
          const current = pending!;
          pending = i + 1 < objects.length ? readViews(objects[i + 1]!, args) : undefined;
          pending?.catch(() => undefined);
          try {
            const known = args.knownBad?.get(objectKey(obj));
            if (known) throw new UngreedyError(known.code, `object ${obj.stem} is bad: ${known.reason}`, { file: known.file, reason: known.reason });
            const images: RgbImage[] = [];
            for (const { file, bytes } of await current) {
              let image = decodePng(bytes, file);
              if (args.imageSize !== null) image = resizeRgb(image, args.imageSize);
              if (width === 0) {
                width = image.width;
                height = image.height;
              } else if (image.width !== width || image.height !== height) {
                throw new UngreedyError(
                  'UNG_ERR_DATASET_CORRUPT',
                  `image ${file} should be ${width}×${height} like the images before it, but got ${image.width}×${image.height}. Fix: set imageSize to resize every view.`,
                  { file, reason: 'image-size', width: image.width, height: image.height },
                );
              }
              images.push(image);
            }
            for (const image of images) await handle.write(image.data);
            records[split].push(next++);
          } catch (err) {
            if (args.onBadSample !== 'skip' || !isUngreedyError(err)) throw err;
            const sample: BadSample = {
              split,
              position: i,
              stem: obj.stem,
              file: String(err.data['file'] ?? ''),
              code: err.code,
              reason: String(err.data['reason'] ?? 'unknown'),
            };
            bad.push(sample);
            records[split].push(-1);
            args.log.warn({ file: sample.file, reason: sample.reason }, 'skipped a bad modelnet40 sample');
          }
          position++;
          progress.update();
        }
      }
      const header: ViewCacheHeader = { format: FORMAT, key: args.key, width, height, views: args.views, records, bad };
      const json = Buffer.from(JSON.stringify(header), 'utf8');
      const trailer = Buffer.alloc(TRAILER);
      MAGIC.copy(trailer, 0);
      trailer.writeUInt32LE(json.length, 8);
      await handle.write(json);
      await handle.write(trailer);
      return header;
    },
    { fsync: false },
  );
  const seconds = (Date.now() - started) / 1000;
  args.log.info(
    { file: args.file, objects: position, images: next * args.views.length, seconds, imagesPerSecond: (next * args.views.length) / Math.max(seconds, 1e-6), bad: bad.length },
    'modelnet40 view cache built',
  );
  return header;
}

async function readViews(
  obj: SourceObject,
  args: Parameters<typeof ViewCache.openOrBuild>[0],
): Promise<Array<{ file: string; bytes: Buffer }>> {
  return Promise.all(
    args.views.map(async (v) => {
      const file = args.viewFile(obj, v);
      try {
        return { file, bytes: await readFile(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        throw new UngreedyError(
          'UNG_ERR_DATASET_MISSING',
          `object ${obj.stem} (${obj.className}/${obj.split}) should have view ${v + 1}, but ${file} does not exist. Fix: re-extract the renders, choose other views, or set onBadSample: 'skip'.`,
          { file, reason: 'missing-view', view: v, stem: obj.stem },
        );
      }
    }),
  );
}

/** The key of an object in `knownBad` maps: `<class>/<split>/<stem>`. */
export function objectKey(obj: Pick<SourceObject, 'className' | 'split' | 'stem'>): string {
  return `${obj.className}/${obj.split}/${obj.stem}`;
}
