import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
