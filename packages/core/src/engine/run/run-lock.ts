import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UngreedyError } from '../../contract/errors/errors.js';
import { pidAlive } from '../util/pid-alive.js';

export { pidAlive };

/** The lock file of a run folder: one writer at a time (docs/errors.md, UNG_ERR_RUN_LOCKED). */
export const LOCK_FILE = '.lock';

/** What a lock file holds. */
export interface RunLockInfo {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** A held lock; `release()` removes the file if it is still this process's. */
export interface RunLock {
  readonly dir: string;
  readonly info: RunLockInfo;
  release(): void;
}

/** The lock file's content, or null when there is none (or it is torn: a writer died mid-write). */
export function readRunLock(dir: string): RunLockInfo | null {
  try {
    const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as RunLockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : null;
  } catch {
    return null;
  }
}

/**
 * Whether a live process other than this one holds the folder's lock (a lock from another host counts as live:
 * its process cannot be checked from here).
 */
export function isLockedByOther(dir: string): RunLockInfo | null {
  const info = readRunLock(dir);
  if (info === null) return null;
  if (info.host !== hostname()) return info;
  if (info.pid === process.pid) return null;
  return pidAlive(info.pid) ? info : null;
}

/**
 * Takes the folder's exclusive lock: `<dir>/.lock` created with O_EXCL (`wx`), holding pid, host and start time.
 * A lock left by a dead process of this host is taken over; a live one, or any from another host, is refused with
 * UNG_ERR_RUN_LOCKED. The lock is released by `release()` and, as a last resort, when this process exits.
 */
export function acquireRunLock(dir: string): RunLock {
  const file = join(dir, LOCK_FILE);
  const info: RunLockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return held(dir, info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readRunLock(dir);
    if (current !== null && current.pid === process.pid && current.host === info.host) return held(dir, current);
    if (current !== null && (current.host !== info.host || pidAlive(current.pid))) throw locked(dir, current);
    takeOver(file, current);
  }
  throw locked(dir, readRunLock(dir) ?? { pid: -1, host: 'unknown', startedAt: 'unknown' });
}

/**
 * Moves a stale lock out of the way: renamed to a name of this process's own (atomic, so two processes taking
 * over at once cannot both remove it), then checked; if what was moved turns out not to be the stale lock (a live
 * one replaced it in between), it is linked back (link fails if the name is taken, so nothing is overwritten).
 */
function takeOver(file: string, stale: RunLockInfo | null): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let moved: RunLockInfo | null = null;
  try {
    moved = JSON.parse(readFileSync(aside, 'utf8')) as RunLockInfo;
  } catch {
    moved = null;
  }
  const same = stale === null ? moved === null || !pidAlive(moved.pid) : moved !== null && moved.pid === stale.pid;
  if (!same) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone holds the name already: the retry in acquireRunLock sees and honours their lock.
    }
  }
  rmSync(aside, { force: true });
}

/** Holds the lock whose file `<dir>/.lock` this process has written with `info` (after moving its folder in place). */
export function adoptRunLock(dir: string, info: RunLockInfo): RunLock {
  return held(dir, info);
}

function held(dir: string, info: RunLockInfo): RunLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readRunLock(dir);
    if (current !== null && current.pid === info.pid && current.host === info.host) rmSync(join(dir, LOCK_FILE), { force: true });
  };
  process.on('exit', release);
  return { dir, info, release };
}

export function locked(dir: string, by: RunLockInfo): UngreedyError {
  const sameHost = by.host === hostname();
  return new UngreedyError(
    'UNG_ERR_RUN_LOCKED',
    `run folder ${dir} should have no other writer, but process ${by.pid} on ${by.host} has held its lock since ${by.startedAt}. ` +
      (sameHost
        ? 'Wait for that process to end (or stop it with Ctrl-C / kill -INT, which checkpoints), then try again.'
        : `Its host cannot be checked from here: once ${by.host} no longer runs it, remove ${join(dir, LOCK_FILE)} and try again.`),
    { dir, pid: by.pid, host: by.host, startedAt: by.startedAt },
  );
}
