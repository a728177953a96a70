import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { adoptRunLock, isLockedByOther, LOCK_FILE, locked, type RunLock, type RunLockInfo } from './run-lock.js';

/**
 * Creates a new, empty run folder `<parent>/<name>`; when that exists (a rerun), `<name>-2`, `<name>-3`, …
 * so no earlier run is ever overwritten. `mkdir` without `recursive` is the exclusive test, so two processes
 * starting the same experiment get different folders.
 */
export function createRunFolder(parent: string, name: string): string {
  const root = resolve(parent);
  mkdirSync(root, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(root, n === 1 ? name : `${name}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Like {@link createRunFolder}, but the folder appears already holding this process's lock: it is made as a
 * hidden sibling with `.lock` inside and renamed into place, so no other process ever sees it unlocked. With
 * `exact` (compare cells), an existing `<parent>/<name>` is not skipped for `<name>-2` but refused with
 * UNG_ERR_RUN_LOCKED: another writer got there first.
 */
export function createLockedRunFolder(parent: string, name: string, options: { exact?: boolean } = {}): { dir: string; lock: RunLock } {
  const root = resolve(parent);
  mkdirSync(root, { recursive: true });
  const info: RunLockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const tmp = join(root, `.${name}.new-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileSync(join(tmp, LOCK_FILE), `${JSON.stringify(info)}\n`, { flag: 'wx' });
  try {
    for (let n = 1; ; n++) {
      const dir = join(root, n === 1 ? name : `${name}-${n}`);
      try {
        // rename(2) refuses a non-empty target (EEXIST / ENOTEMPTY); an empty one is replaced, which loses nothing.
        renameSync(tmp, dir);
        return { dir, lock: adoptRunLock(dir, info) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
        if (options.exact) {
          throw locked(dir, isLockedByOther(dir) ?? { pid: -1, host: hostname(), startedAt: 'unknown (the folder was created meanwhile)' });
        }
      }
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
