import { parse, resolve } from 'node:path';
import type { ConfigIssue } from '../config/format-issues.js';

/**
 * Where a run may be written (docs/errors.md, UNG_ERR_CONFIG_INVALID): never the filesystem root itself, and a
 * run folder name that is one plain name (`.`, `..` and path separators would put the run somewhere other than
 * `<output.dir>/<runName>`). Checked by `validate` and `run` with the rest of the config, and by `run` again for
 * `--out`.
 *
 * @example
 * outputPathIssues({ output: { dir: '/', runName: '..' } }, '/home/me/exp');
 * // [{ pointer: '/output/dir', … }, { pointer: '/output/runName', … }]
 */
export function outputPathIssues(config: Record<string, unknown>, configDir: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const output = (config['output'] ?? {}) as { dir?: unknown; runName?: unknown };
  if (typeof output.dir === 'string') {
    const issue = outputDirIssue(resolve(configDir, output.dir), '/output/dir', output.dir);
    if (issue) issues.push(issue);
  }
  if (typeof output.runName === 'string') {
    const name = output.runName;
    if (name === '.' || name === '..' || /[\\/]/.test(name) || name.trim() === '') {
      issues.push({
        pointer: '/output/runName',
        message: `must be a plain folder name (not "." or "..", no "/" or "\\\\"), but got ${JSON.stringify(name)}. Fix: name the run folder, e.g. "${'my-run'}"`,
        value: name,
      });
    }
  }
  return issues;
}

/** An issue when `dir` (absolute) is the filesystem root, where no run folder belongs. */
export function outputDirIssue(dir: string, pointer: string, given: string): ConfigIssue | null {
  if (dir !== parse(dir).root) return null;
  return {
    pointer,
    message: `must be a folder below the filesystem root, but ${JSON.stringify(given)} is the root itself. Fix: use a folder such as "runs"`,
    value: given,
  };
}
