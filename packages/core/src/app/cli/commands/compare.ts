import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadComparePlan, type ComparePlan } from '../../compare/compare-config.js';
import { MATRIX_INDEX, type MatrixIndex } from '../../compare/read-runs.js';
import { runMatrix, type CellOutcome } from '../../compare/run-matrix.js';
import { RESULT_FILES, writeMatrixResults } from '../../report/write-results.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import { UngreedyError } from '../../../contract/errors/errors.js';
import { writeJsonAtomic } from '../../../contract/util/atomic-write.js';
import { onStopSignals } from '../../../engine/run/stop-signals.js';
import type { CliCommand, CliContext } from '../cli-command.js';
import { executeComparePlan, executorRegistry, resolveExecutorChoice } from '../execute-compare.js';
import { integerOption, parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';

export const compareCommand: CliCommand = {
  summary: 'Run a matrix of strategies x seeds (x datasets, + uni-modal baselines) and write tables and a report',
  usage: `Usage: ungreedy compare <compare-config> [--jobs <n>] [--out <dir>] [--executor <id>] [--detach]

Runs every cell of the matrix the config defines (each strategy and each uni-modal baseline, on every seed and
dataset) as a normal run folder <out>/<dataset>/<label>/seed<k>, through \`ungreedy run\` in child processes,
then writes results.md, results.csv, results.json, results.tex, report.html and TensorBoard event files.

Run it again to continue: completed runs are never redone, interrupted ones resume from their last
checkpoint, failed ones start again (the failed folder is kept as seed<k>.failed-<n>).

  --jobs <n>   cells run at once, each in its own single-threaded process (default 1)
  --out <dir>  folder of the matrix (default: the config's output.dir, relative to the config file)
  --executor <id>
               where the cells run: local (child processes here, the default) or slurm (one Slurm job
               array, one cell per array task; docs/cluster.md); overrides the config's executor.use.
               With slurm, a rerun while the array is pending or running watches it instead of submitting
               again, and a rerun after failures resubmits only the cells not completed.
  --detach     submit and return at once with the job id (slurm); follow it with \`ungreedy status <dir>\`
               and collect the tables with \`ungreedy report <dir>\` or by running compare again

Exit code: 0 every run completed, 1 a run failed (the others still ran), 2 bad input, 130 interrupted (143 by SIGTERM).`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('compare', args, {
      jobs: { type: 'string' },
      out: { type: 'string' },
      executor: { type: 'string' },
      detach: { type: 'boolean' },
    }, 1);
    const path = requirePositional('compare', positionals, 'a compare config file');
    const cliJobs = integerOption('compare', 'jobs', values.jobs);
    const plan = await loadComparePlan(path, { cwd: ctx.cwd, ...(values.out === undefined ? {} : { outDir: values.out }), log: ctx.log });
    // --executor overrides the config's choice (its options only apply to the executor they were written for).
    const configured = plan.config.executor;
    const use = values.executor ?? configured.use;
    const registry = await executorRegistry(plan, ctx.log);
    const choice = resolveExecutorChoice(registry, { use, options: use === configured.use ? configured.options : {} }, plan.file);
    if (use === 'local' && values.detach !== true) {
      const jobs = cliJobs ?? (choice.options['jobs'] as number);
      return runComparePlan(plan, { jobs: Math.max(1, jobs) }, ctx);
    }
    return executeComparePlan(plan, choice, { detach: values.detach === true, registry }, ctx);
  },
};

/** Runs a loaded plan, prints progress, the table and where the report is (shared with `quickstart`). */
export async function runComparePlan(plan: ComparePlan, options: { jobs: number }, ctx: CliContext): Promise<number> {
  const total = plan.cells.length;
  ctx.out(`Comparing ${plan.config.strategies.map((s) => s.label).join(', ')}${plan.config.unimodal ? ' and the uni-modal baselines' : ''} on ${plan.datasets.join(', ')} over seeds ${plan.config.seeds.join(', ')}: ${total} runs, ${options.jobs} at a time.`);
  ctx.out(`Matrix folder: ${displayPath(plan.outDir)}`);
  writeIndex(plan, []);
  // The first SIGINT/SIGTERM is forwarded to the running cells, which checkpoint and stop; compare waits for them.
  const stop = onStopSignals((name) => {
    ctx.err(`Interrupted (${name}): the running cells checkpoint and stop (send it again to quit now). Run the same command again to continue.`);
  });
  const startedAt = Date.now();
  const running = new Set<string>();
  const bar = ctx.isTTY ? new ProgressBar(total) : null;
  let done = 0;
  let outcomes: CellOutcome[];
  try {
    outcomes = await runMatrix({
      cells: plan.cells,
      experimentDir: plan.experimentDir,
      jobs: options.jobs,
      log: ctx.log,
      signal: stop.signal,
      onCellStart: (cell) => {
        running.add(cell.id);
        bar?.draw(done, running.size, startedAt);
      },
      onCellDone: (o, n) => {
        running.delete(o.cell.id);
        done = n;
        bar?.clear();
        ctx.out(outcomeLine(o, n, total));
        bar?.draw(done, running.size, startedAt);
      },
    });
  } finally {
    bar?.stop();
    stop.dispose();
  }
  const failures = outcomes.filter((o) => o.status === 'failed');
  writeIndex(plan, failures);
  if (stop.signal.aborted) {
    printTables(plan, ctx, startedAt);
    ctx.out(`Interrupted with ${outcomes.filter((o) => o.status !== 'interrupted').length}/${total} runs done; run the same command again to finish the matrix.`);
    return stop.exitCode();
  }
  return printResults(plan, failures, ctx, startedAt);
}

/** Writes the tables and report of a finished matrix, prints them, and returns compare's exit code (1 when runs failed). */
export function printResults(plan: ComparePlan, failures: readonly CellOutcome[], ctx: CliContext, startedAt: number): number {
  const total = plan.cells.length;
  printTables(plan, ctx, startedAt);
  if (failures.length > 0) {
    const err = new UngreedyError(
      'UNG_ERR_COMPARE_FAILED',
      `every run of ${displayPath(plan.file)} should complete, but ${failures.length} of ${total} failed: ${failures.map((f) => `${f.cell.id} (${f.error?.code})`).join(', ')}. ` +
        'The others are in the tables; see each failed run\'s seed<k>.console.log, fix the cause and run compare again (completed runs are kept).',
      { failed: failures.map((f) => ({ id: f.cell.id, code: f.error?.code ?? null, message: f.error?.message ?? null })) },
    );
    ctx.err(`${err.code}: ${err.message}`);
    return 1;
  }
  return 0;
}

function printTables(plan: ComparePlan, ctx: CliContext, startedAt: number): void {
  const written = writeMatrixResults(plan.outDir);
  ctx.out('');
  for (const line of written.markdown.trimEnd().split('\n')) ctx.out(line);
  ctx.out('');
  ctx.out(`Tables: ${displayPath(join(plan.outDir, RESULT_FILES.markdown))} (also .csv, .json, .tex)`);
  ctx.out(`Report: ${displayPath(join(plan.outDir, RESULT_FILES.report))} (open it in a browser)`);
  ctx.out(`TensorBoard: tensorboard --logdir ${displayPath(plan.outDir)}`);
  ctx.out(`Took ${formatDuration((Date.now() - startedAt) / 1000)}.`);
}

export function writeIndex(plan: ComparePlan, failures: readonly CellOutcome[]): void {
  const labels = [...new Set(plan.cells.map((c) => c.label))];
  const index: MatrixIndex = {
    name: plan.config.name,
    datasets: plan.datasets,
    labels,
    cells: plan.cells.map((c) => ({ id: c.id, dataset: c.dataset, label: c.label, seed: c.seed, kind: c.kind })),
    failures: failures.map((f) => ({ id: f.cell.id, code: f.error?.code ?? 'UNG_ERR_RUN_FAILED', message: f.error?.message ?? '' })),
  };
  mkdirSync(plan.outDir, { recursive: true });
  writeJsonAtomic(join(plan.outDir, MATRIX_INDEX), index);
}

export function outcomeLine(o: CellOutcome, n: number, total: number): string {
  const head = `[${String(n).padStart(String(total).length)}/${total}] ${o.cell.id}`;
  if (o.status === 'skipped') return `${head}: already completed, kept`;
  if (o.status === 'interrupted') return `${head}: interrupted after ${formatDuration(o.seconds)} (resumes next time)`;
  if (o.status === 'failed') return `${head}: FAILED after ${formatDuration(o.seconds)}: ${o.error?.code}: ${firstLine(o.error?.message ?? '')}`;
  return `${head}: ${o.started === 'resumed' ? 'resumed and ' : ''}completed in ${formatDuration(o.seconds)}`;
}

const firstLine = (s: string): string => s.split('\n')[0] ?? '';

export function formatDuration(seconds: number): string {
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  // Round once, then split: 119.6 s is 2 min 0 s, not 1 min 60 s.
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  return `${m} min ${total - m * 60} s`;
}

/** One overall bar on stderr (a terminal only), redrawn in place between the per-cell lines. */
export class ProgressBar {
  private timer: NodeJS.Timeout | null = null;
  private last = { done: 0, running: 0, startedAt: Date.now() };

  constructor(private readonly total: number) {}

  draw(done: number, running: number, startedAt: number): void {
    this.last = { done, running, startedAt };
    this.render();
    this.timer ??= setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  clear(): void {
    process.stderr.write('\r\x1b[2K');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private render(): void {
    const { done, running, startedAt } = this.last;
    const width = 30;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const elapsed = formatDuration((Date.now() - startedAt) / 1000);
    process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} runs done, ${running} running, ${elapsed}`);
    if (done >= this.total && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
