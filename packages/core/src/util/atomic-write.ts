import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

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
