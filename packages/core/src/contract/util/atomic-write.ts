import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';

/** Internal seams for tests: `beforeRename` runs after the temp file is written and synced. */
export interface AtomicWriteOptions {
  readonly beforeRename?: (tempPath: string) => void;
}

/**
 * Writes `data` to `path` so that readers (and a crash at any moment) see either the old content or the
 * new one, never a torn file: write a temp file in the same folder, fsync it, rename it over the target,
 * then fsync the folder so the rename itself is durable. On an error the temp file is removed.
 *
 * @example
 * writeFileAtomic('runs/a/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  // Same folder as the target: rename is only atomic within one file system.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    writeFileSynced(temp, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    options.beforeRename?.(temp);
    renameSync(temp, path);
    renamed = true;
    fsyncFolder(dirname(path));
  } finally {
    if (!renamed) rmSync(temp, { force: true });
  }
}

/** Writes pretty-printed JSON (two spaces, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Writes every byte of `data` to a new file at `path` and fsyncs it (not atomic: see {@link writeFileAtomic}). */
export function writeFileSynced(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < data.byteLength) written += writeSync(fd, data, written, data.byteLength - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Fsyncs a folder so a rename inside it is durable; best effort. */
export function fsyncFolder(dir: string): void {
  // Some file systems refuse fsync on a directory (EISDIR/EINVAL/EPERM); durability of the rename is then
  // the file system's business, and the content is already synced.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** Options of {@link writeFileAtomicAsync} and {@link withAtomicFile}. */
export interface AsyncAtomicWriteOptions {
  /**
   * Fsync the temp file before the rename and the folder after it (default true). Without it a crash still never
   * leaves a torn file at the target, but after a power loss the new content may be missing or empty; bulk
   * writers of files they can regenerate (rendered images, caches) turn it off for speed.
   */
  readonly fsync?: boolean;
}

/**
 * The temp file {@link withAtomicFile} writes before renaming it to `path`: `<path>.tmp-<pid>-<n>`, a sibling (a
 * rename is only atomic within one file system) named after the writing process, so {@link isStaleAtomicTemp}
 * can tell a dead writer's leftovers from a live one's. `n` is random: worker threads share the pid.
 */
export function atomicTempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomInt(2 ** 47)}`;
}

/**
 * Whether a folder entry is a temp file of {@link atomicTempPath} whose writer process is gone, so a cleanup can
 * remove it. Entries of this process and of live processes (another run writing the same folder) are kept.
 */
export function isStaleAtomicTemp(name: string): boolean {
  const m = /\.tmp-(\d+)-\d+$/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else; only ESRCH means it is gone.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Creates `path` atomically from what `write` writes into an open file handle: the handle is a temp file
 * ({@link atomicTempPath}) renamed over `path` once `write` resolves, so readers and an interrupted run see the
 * old file or the whole new one. When `write` or the rename fails the temp file is removed and the error
 * rethrown. Resolves with `write`'s result.
 *
 * @example
 * const count = await withAtomicFile('cache/views.bin', async (file) => {
 *   for (const chunk of chunks) await file.write(chunk);
 *   return chunks.length;
 * }, { fsync: false });
 */
export async function withAtomicFile<T>(
  path: string,
  write: (file: FileHandle) => Promise<T>,
  options: AsyncAtomicWriteOptions = {},
): Promise<T> {
  const fsync = options.fsync ?? true;
  const temp = atomicTempPath(path);
  let renamed = false;
  try {
    const file = await open(temp, 'w');
    let result: T;
    try {
      result = await write(file);
      if (fsync) await file.sync();
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
    await file.close();
    await rename(temp, path);
    renamed = true;
    if (fsync) await fsyncFolderAsync(dirname(path));
    return result;
  } finally {
    if (!renamed) await rm(temp, { force: true });
  }
}

/**
 * The asynchronous {@link writeFileAtomic}, the contract's one crash-safe write for dataset caches: `data` (a string
 * as UTF-8, or bytes) is written through {@link withAtomicFile}; or, given a function, that function writes into the
 * temp file's open handle and the promise resolves with its result (for a cache written piece by piece).
 *
 * @example
 * await writeFileAtomicAsync('renders/chair/train/chair_0001.obj.shaded_v001.png', png, { fsync: false });
 * const count = await writeFileAtomicAsync('cache/views.bin', async (file) => {
 *   for (const chunk of chunks) await file.write(chunk);
 *   return chunks.length;
 * });
 */
export function writeFileAtomicAsync(path: string, data: string | Uint8Array, options?: AsyncAtomicWriteOptions): Promise<void>;
export function writeFileAtomicAsync<T>(path: string, write: (file: FileHandle) => Promise<T>, options?: AsyncAtomicWriteOptions): Promise<T>;
export async function writeFileAtomicAsync<T>(
  path: string,
  data: string | Uint8Array | ((file: FileHandle) => Promise<T>),
  options: AsyncAtomicWriteOptions = {},
): Promise<T | void> {
  if (typeof data === 'function') return withAtomicFile(path, data, options);
  return withAtomicFile(path, (file) => file.writeFile(data), options);
}

/**
 * Removes the temp files ({@link atomicTempPath}) in `dir` whose names start with `prefix` and whose writer process
 * is gone ({@link isStaleAtomicTemp}): what a killed {@link writeFileAtomicAsync} left. Temps of live writers
 * (another process filling the same cache) are kept. Resolves with the number removed; a missing folder removes
 * nothing.
 */
export async function sweepStaleAtomicTemps(dir: string, prefix = ''): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (name.startsWith(prefix) && isStaleAtomicTemp(name)) {
      await rm(join(dir, name), { force: true, recursive: true });
      removed++;
    }
  }
  return removed;
}

/** {@link fsyncFolder} without blocking the event loop; best effort likewise. */
async function fsyncFolderAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
