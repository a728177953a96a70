import { basename, dirname, join } from 'node:path';
import type { Executor, ExecutorContext } from '../../contract/executor/executor.js';
import type { ExecutorContribution } from '../../contract/plugin/manifest.js';
import { runMatrix } from '../compare/run-matrix.js';
import { cellsOf, readCellIndex } from './compare-folder.js';

/** The `local` executor's options. */
export interface LocalOptions {
  /** Cells at once, each in its own process; the cores are shared out between them (run-matrix.ts). */
  readonly jobs: number;
}

type TaskState = Awaited<ReturnType<Executor['poll']>>[number];

/**
 * Today's compare: the cells run as child processes of this one (`runMatrix`, at most `jobs` at once), so a job
 * lives as long as this process (`detachable: false`). States change in memory and `notify` wakes the watcher.
 */
class LocalExecutor implements Executor {
  readonly detachable = false;
  private readonly jobs = new Map<string, { states: Map<number, TaskState>; controller: AbortController }>();
  private next = 1;

  constructor(private readonly options: LocalOptions, private readonly ctx: ExecutorContext) {}

  submit(indices: readonly number[]): Promise<{ id: string; indices: readonly number[] }> {
    const id = `local-${process.pid}-${this.next++}`;
    const cells = cellsOf(this.ctx.compareDir, readCellIndex(this.ctx.compareDir), indices);
    const indexOf = new Map(cells.map((c, i) => [c.id, indices[i]!]));
    const logOf = (index: number): string => {
      const cell = cells[indices.indexOf(index)]!;
      return join(dirname(cell.dir), `${basename(cell.dir)}.console.log`);
    };
    const states = new Map<number, TaskState>(indices.map((index) => [index, { index, state: 'pending', exitCode: null, reason: null, logFile: logOf(index) }]));
    const controller = new AbortController();
    this.jobs.set(id, { states, controller });
    const set = (index: number, state: TaskState['state'], exitCode: number | null, reason: string | null): void => {
      states.set(index, { index, state, exitCode, reason, logFile: logOf(index) });
      this.ctx.notify();
    };
    void runMatrix({
      cells,
      experimentDir: readCellIndex(this.ctx.compareDir).experimentDir,
      jobs: this.options.jobs,
      log: this.ctx.log,
      signal: controller.signal,
      env: this.ctx.env,
      onCellStart: (cell) => set(indexOf.get(cell.id)!, 'running', null, null),
      onCellDone: (o) => {
        const index = indexOf.get(o.cell.id)!;
        if (o.status === 'completed' || o.status === 'skipped') set(index, 'done', o.exitCode ?? 0, null);
        else set(index, 'failed', o.exitCode, o.status === 'interrupted' ? 'interrupted' : o.error?.code ?? null);
      },
    }).catch((err: unknown) => {
      for (const index of indices) if (states.get(index)!.state === 'pending' || states.get(index)!.state === 'running') set(index, 'failed', null, String(err));
    }).finally(() => {
      // Cells never started (the job was cancelled first) end as failed, so the watcher stops waiting.
      for (const index of indices) if (states.get(index)!.state === 'pending') set(index, 'failed', null, 'cancelled');
    });
    return Promise.resolve({ id, indices: [...indices] });
  }

  poll(jobId: string, indices: readonly number[]): Promise<readonly TaskState[]> {
    const job = this.jobs.get(jobId);
    return Promise.resolve(indices.map((index) => job?.states.get(index) ?? { index, state: 'unknown', exitCode: null, reason: null, logFile: null }));
  }

  cancel(jobId: string): Promise<void> {
    this.jobs.get(jobId)?.controller.abort();
    return Promise.resolve();
  }
}

export const localExecutor: ExecutorContribution<LocalOptions> = {
  meta: {
    docs: { description: 'Runs the cells as child processes on this machine, `jobs` at once (the default executor)' },
    defaultOptions: { jobs: 1 },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { jobs: { type: 'integer', minimum: 1, description: 'cells at once, each in its own process with ⌊cores / jobs⌋ threads (--jobs overrides it)' } },
    },
  },
  create: (options, ctx) => new LocalExecutor(options, ctx),
};
