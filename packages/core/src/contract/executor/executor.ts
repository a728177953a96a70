import type { Logger } from '../log/logger.js';

/**
 * What an executor knows about a compare folder: the cells it may run, by index, and how one cell runs on a
 * worker. The compare folder is on a filesystem every worker sees; it is the only coordination between the
 * submitting process and the workers (packages/core/docs/cluster.md).
 */
export interface ExecutorContext {
  /** Absolute path of the compare folder (`output.dir`): run folders, cell configs, the executor's own files. */
  readonly compareDir: string;
  /** Folder the executor may write its files into (`<compareDir>/<executor id>/`: scripts, task logs). */
  readonly workDir: string;
  /** Number of cells; indices are 0 .. cellCount - 1, in the order of the compare folder's compare.json. */
  readonly cellCount: number;
  /** Cell ids (`<dataset>/<label>/seed<k>`) by index, for messages and labels. */
  readonly cellIds: readonly string[];
  /**
   * The command line that runs cell `index` on a worker, through the same code path as a local cell
   * (`ungreedy compare-cell <compareDir> <index>`): an executor puts it into its job script or pod spec.
   */
  readonly cellCommand: (index: number) => readonly string[];
  /** Environment of this process, for tools the executor runs (scheduler clients) and for local cells. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** An executor that learns of a task's change at once (local processes) calls this so watchers poll now. */
  readonly notify: () => void;
}

/**
 * Runs the cells of a compare folder somewhere: child processes here (`local`), a Slurm job array (`slurm`), a
 * Kubernetes Indexed Job. Submission is by cell index, so one job can hold any subset of cells (a resubmission
 * holds only those not completed); states are polled, not pushed, so a later process (`ungreedy status`, a rerun
 * of `compare`) can watch a job it did not submit. Results are not collected through the executor: every cell
 * writes its run folder under `compareDir`, and compare reads the folders.
 */
export interface Executor {
  /** Starts cells `indices` as one job; resolves once the job is accepted (not when it finishes). */
  submit(indices: readonly number[]): Promise<{ readonly id: string; readonly indices: readonly number[] }>;
  /**
   * The state of each task of job `jobId` (submitted with `indices`). `pending`: waiting for resources; `running`;
   * `done`: ended with exit code 0; `failed`: ended otherwise (`exitCode`, and the scheduler's `reason`, e.g. a
   * cancellation or time limit); `unknown`: the scheduler no longer knows the task (the run folder decides).
   */
  poll(jobId: string, indices: readonly number[]): Promise<readonly {
    readonly index: number;
    readonly state: 'pending' | 'running' | 'done' | 'failed' | 'unknown';
    readonly exitCode: number | null;
    readonly reason: string | null;
    /** The task's console output (its last lines are shown for a failed task), or null. */
    readonly logFile: string | null;
  }[]>;
  /** Cancels the job's tasks (all, or `indices`): running cells get SIGTERM, checkpoint, and resume later. */
  cancel(jobId: string, indices?: readonly number[]): Promise<void>;
  /** Whether a job outlives this process (a scheduler's) and may be watched by a later one; false for local. */
  readonly detachable: boolean;
}
