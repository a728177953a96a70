import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
let hooked = false;

/**
 * A fresh folder `<os tmp>/ungreedy-<prefix>-XXXXXX`, removed when the process exits (test files run one per
 * process), so the suite leaves nothing in the system temp folder. `keep()` the folder to inspect it.
 *
 * @example
 * const dir = tempDir('cli-run');
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ungreedy-${prefix}-`));
  made.add(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeTempDirs);
  }
  return dir;
}

/** Removes every folder {@link tempDir} made in this process (also run on exit). */
export function removeTempDirs(): void {
  if (process.env['UNGREEDY_KEEP_TEMP'] === '1') return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
