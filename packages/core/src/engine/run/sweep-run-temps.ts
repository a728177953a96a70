import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from './file-run-store.js';
import { pidAlive } from './run-lock.js';

/**
 * Removes the temps a killed writer left in a run folder: atomic-write temps (`.manifest.json.<pid>.<hex>.tmp`,
 * `.summary.json.…`, see util/atomic-write.ts) and checkpoint temps (`checkpoints/<name>.tmp-<pid>`), but only
 * those whose writer pid is gone. Called by the run that holds the folder's lock, before it writes.
 * Returns the removed names (relative to `dir`).
 */
export function sweepRunTemps(dir: string): string[] {
  const removed: string[] = [];
  const sweep = (folder: string, prefix: string, pattern: RegExp): void => {
    let names: string[];
    try {
      names = readdirSync(join(dir, folder));
    } catch {
      return;
    }
    for (const name of names) {
      const m = pattern.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || pidAlive(pid)) continue;
      rmSync(join(dir, folder, name), { recursive: true, force: true });
      removed.push(`${prefix}${name}`);
    }
  };
  sweep('.', '', /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/);
  sweep(RUN_FILES.checkpoints, `${RUN_FILES.checkpoints}/`, /^.+\.tmp-(\d+)$/);
  return removed;
}
