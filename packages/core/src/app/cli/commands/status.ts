import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UngreedyError } from '../../../contract/errors/errors.js';
import { parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import { RUN_FILES } from '../../../engine/run/file-run-store.js';
import type { RunManifest, RunSummary } from '../../../engine/run/metric-records.js';
import { readMatrix } from '../../compare/read-runs.js';
import { cellState, readJsonOrNull } from '../../compare/run-matrix.js';
import { readExecutorState } from '../../executors/compare-folder.js';
import type { CliCommand } from '../cli-command.js';
import { createExecutor, withExecutors } from '../execute-compare.js';
import { loadCommandPlugins } from '../first-party-plugins.js';

/** One cell's line of `ungreedy status`. */
export interface CellStatus {
  readonly id: string;
  /** From the scheduler while its task is queued or running, else from the run folder. */
  readonly state: 'pending' | 'running' | 'completed' | 'interrupted' | 'failed' | 'not started';
  readonly detail: string;
}

export const statusCommand: CliCommand = {
  summary: 'Show the state of each cell of a compare folder (local or submitted to an executor such as Slurm)',
  usage: `Usage: ungreedy status <compare-dir> [--json]

One line per cell of the matrix: pending or running (from the scheduler, for a folder that
\`compare --executor slurm\` submitted: its executor.json names the job), else from its run folder:
completed, interrupted (a checkpoint to resume from), failed (with the exit code, the error and the
scheduler's reason) or not started. Works for local compare folders too (from the run folders alone).
Collect the tables with \`ungreedy report <compare-dir>\` or by running compare again.

  --json  machine-readable: { job: { executor, id, indices, submittedAt, active }, cells: [{ id, state, detail }] }`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('status', args, { json: { type: 'boolean' } }, 1);
    const dir = resolve(ctx.cwd, requirePositional('status', positionals, 'a compare folder'));
    if (!existsSync(dir)) {
      throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `compare folder ${displayPath(dir)} must exist, but it does not. Pass the output.dir of a compare config.`, { dir });
    }
    const { index } = readMatrix(dir);
    if (index.cells.length === 0) {
      throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `compare folder ${displayPath(dir)} must hold compare.json or run folders <dataset>/<label>/seed<k>, but it has neither. Pass the output.dir of a compare config.`, { dir });
    }
    const state = readExecutorState(dir);
    const job = state?.jobs.at(-1);
    const tasks = new Map<number, Awaited<ReturnType<Awaited<ReturnType<typeof createExecutor>>['poll']>>[number]>();
    if (state !== null && job !== undefined) {
      const registry = withExecutors(await loadCommandPlugins(ctx.cwd, [], ctx.log));
      const executor = await createExecutor(registry, state, dir, index.cells.map((c) => c.id), { env: ctx.env, log: ctx.log });
      for (const t of await executor.poll(job.id, job.indices)) tasks.set(t.index, t);
    }
    const cells: CellStatus[] = index.cells.map((c, i) => {
      const runDir = join(dir, c.dataset, c.label, `seed${c.seed}`);
      const task = tasks.get(i);
      const folder = cellState(runDir);
      if (folder !== 'completed' && task !== undefined && (task.state === 'pending' || task.state === 'running')) {
        return { id: c.id, state: task.state, detail: task.reason ?? (task.state === 'running' && folder === 'resumable' ? 'resuming from its checkpoint' : '') };
      }
      if (folder === 'completed') {
        const summary = readJsonOrNull<RunSummary>(join(runDir, RUN_FILES.summary));
        const acc = summary?.test?.acc;
        return { id: c.id, state: 'completed', detail: `${acc === undefined ? '' : `test accuracy ${acc.toFixed(2)} %, `}${(summary?.seconds ?? 0).toFixed(1)} s` };
      }
      if (folder === 'busy') return { id: c.id, state: 'running', detail: 'its folder is locked by a running process' };
      const taskText = task !== undefined && task.state === 'failed' ? `exit code ${task.exitCode ?? 'unknown'}${task.reason === null ? '' : ` (${task.reason})`}${task.logFile === null ? '' : `, log ${displayPath(task.logFile)}`}` : '';
      if (folder === 'fresh') return task?.state === 'failed' ? { id: c.id, state: 'failed', detail: taskText } : { id: c.id, state: 'not started', detail: '' };
      if (folder === 'resumable') return { id: c.id, state: 'interrupted', detail: ['resumes from its checkpoint on the next compare', taskText].filter(Boolean).join('; ') };
      const manifest = readJsonOrNull<RunManifest>(join(runDir, RUN_FILES.manifest));
      const error = readJsonOrNull<RunSummary>(join(runDir, RUN_FILES.summary))?.error ?? manifest?.error ?? null;
      return { id: c.id, state: 'failed', detail: [error === null ? '' : `${error.code}: ${error.message.split('\n')[0]}`, taskText].filter(Boolean).join('; ') };
    });
    if (values.json === true) {
      const jobActive = [...tasks.values()].some((t) => t.state === 'pending' || t.state === 'running');
      ctx.out(JSON.stringify({ job: job === undefined ? null : { executor: state!.use, id: job.id, indices: job.indices, submittedAt: job.submittedAt, active: jobActive }, cells }, null, 2));
      return 0;
    }
    const counts = new Map<string, number>();
    for (const c of cells) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    ctx.out(`${displayPath(dir)}: ${cells.length} cells; ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}` +
      (job === undefined ? ' (local)' : `; job ${job.id} (${state!.use}, ${job.indices.length} cells, submitted ${job.submittedAt})`));
    const width = Math.max(...cells.map((c) => c.id.length));
    for (const c of cells) ctx.out(`  ${c.id.padEnd(width)}  ${c.state}${c.detail === '' ? '' : `  ${c.detail}`}`);
    if (cells.every((c) => c.state === 'completed')) ctx.out(`All cells completed: ungreedy report ${displayPath(dir)} writes the tables.`);
    return 0;
  },
};
