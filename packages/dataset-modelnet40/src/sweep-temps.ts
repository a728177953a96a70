import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isStaleAtomicTemp } from '@ungreedy/core';

/**
 * Removes this package's own temp files in `dir` left by writers that are gone (a killed first load leaves a
 * partial `views-<sum>.bin.tmp-<pid>-<n>`, a killed prepare `*.png.tmp-<pid>-<n>`): entries whose name starts
 * with `prefix` and that core's `isStaleAtomicTemp` says belong to a dead process. Temps of live writers (another
 * run building the same cache) are kept. Resolves with the number removed; a missing folder removes nothing.
 */
export async function sweepStaleTemps(dir: string, prefix = ''): Promise<number> {
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
