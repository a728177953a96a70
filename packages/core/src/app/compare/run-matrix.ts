import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../contract/log/logger.js';
import { RUN_FILES } from '../../engine/run/file-run-store.js';
import type { RunManifest, RunSummary } from '../../engine/run/metric-records.js';
import { hasCheckpoint } from '../../engine/trainer/checkpoint.js';
import { isLockedByOther, pidAlive } from '../../engine/run/run-lock.js';
import type { MatrixCell } from './compare-config.js';

/** What a cell's folder says before the matrix runs: nothing to do, continue it, or start it (again). */
export type CellState = 'completed' | 'resumable' | 'fresh' | 'stale' | 'busy';

/**
 * Decides what to do with a cell's folder: `completed` (summary.json says so: never redone), `resumable`
 * (a manifest says running or interrupted and a `last` checkpoint exists: `ungreedy run --resume`), `fresh`
 * (no folder), `stale` (a failed run, or one killed before its first checkpoint: moved aside, then started
 * again), `busy` (a live process holds the folder's lock: another compare or run is writing it; wait for it).
 */
export function cellState(dir: string): CellState {
  if (!existsSync(dir)) return 'fresh';
  if (isLockedByOther(dir) !== null) return 'busy';
  const summary = readJsonOrNull<RunSummary>(join(dir, RUN_FILES.summary));
  if (summary?.status === 'completed') return 'completed';
  const manifest = readJsonOrNull<RunManifest>(join(dir, RUN_FILES.manifest));
  if (summary === null && manifest !== null && (manifest.status === 'running' || manifest.status === 'interrupted') &&
      hasCheckpoint(join(dir, RUN_FILES.checkpoints, 'last'))) {
    return 'resumable';
  }
  return 'stale';
}

/** The outcome of one cell in this invocation. */
export interface CellOutcome {
  readonly cell: MatrixCell;
  /** `skipped`: it had completed before; `interrupted`: the matrix was aborted while it ran. */
  readonly status: 'completed' | 'skipped' | 'failed' | 'interrupted';
  /** How it was started in this invocation (null when skipped). */
  readonly started: 'fresh' | 'resumed' | null;
  readonly exitCode: number | null;
  /** Error code and message of a failed run (summary, manifest, or the CLI's `CODE: message` line). */
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly seconds: number;
}

export interface RunMatrixOptions {
  readonly cells: readonly MatrixCell[];
  /** Folder relative paths in the cell configs resolve against (plugins, dataset roots). */
  readonly experimentDir: string;
  /**
   * Cells run at once, each in its own `ungreedy run` process. The cores are shared out: each process's native
   * kernels get ⌊cores / jobs⌋ threads (OMP_NUM_THREADS, unless the environment sets it), so jobs do not
   * oversubscribe the machine.
   */
  readonly jobs: number;
  readonly log: Logger;
  /** Stops launching cells and interrupts running ones (they checkpoint and exit 130, resumable later). */
  readonly signal?: AbortSignal;
  /** Called when a cell finishes (or is found finished), in completion order. */
  readonly onCellDone?: (outcome: CellOutcome, done: number, total: number) => void;
  /** Called when a cell process starts. */
  readonly onCellStart?: (cell: MatrixCell, how: 'fresh' | 'resumed') => void;
  /** Environment of the cell processes (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The `ungreedy` entry that cell processes run: this build's (dist: .js, sources under tsx: .ts). */
export function cellEntry(): { file: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ext = self.endsWith('.ts') ? '.ts' : '.js';
  // Under tsx the parent's loader flags (--import tsx, --conditions=ungreedy-development) must reach the child.
  // Loader specifiers are made absolute, since the child runs in the experiment's folder.
  const execArgv: string[] = [];
  if (ext === '.ts') {
    const argv = process.execArgv;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a.startsWith('--conditions')) execArgv.push(a);
      else if (a === '--import' && argv[i + 1] !== undefined) execArgv.push(a, absoluteSpecifier(argv[++i]!));
      else if (a.startsWith('--import=')) execArgv.push(`--import=${absoluteSpecifier(a.slice('--import='.length))}`);
    }
  }
  // The cell process is the command line (app/cli/run-cell.ts): named by path and spawned, not imported, so compare
  // does not depend on the CLI's modules (the CLI imports compare).
  return { file: join(dirname(self), '..', 'cli', `run-cell${ext}`), execArgv };
}

function absoluteSpecifier(specifier: string): string {
  if (specifier.startsWith('file:') || specifier.startsWith('/')) return specifier;
  try {
    return import.meta.resolve(specifier);
  } catch {
    return specifier;
  }
}

/**
 * Runs the matrix: every cell not yet completed, at most `jobs` at once, each as a child process of the CLI's
 * own `run` command (so a cell is exactly an `ungreedy run` of its config, and one crashing cannot take the
 * others down). A finished run is never redone; an interrupted one resumes from its `last` checkpoint; a
 * failing one is reported in its outcome and the others go on. Child output goes to
 * `<label>/seed<k>.console.log` beside the run folder.
 */
export async function runMatrix(options: RunMatrixOptions): Promise<CellOutcome[]> {
  const { cells, jobs, signal } = options;
  sweepCellConfigs(options.experimentDir);
  const outcomes: CellOutcome[] = [];
  const total = cells.length;
  const queue: MatrixCell[] = [];
  for (const cell of cells) {
    if (cellState(cell.dir) === 'completed') {
      const outcome: CellOutcome = { cell, status: 'skipped', started: null, exitCode: null, error: null, seconds: 0 };
      outcomes.push(outcome);
      options.onCellDone?.(outcome, outcomes.length, total);
    } else {
      queue.push(cell);
    }
  }
  const running = new Set<Promise<void>>();
  const children = new Set<ChildProcess>();
  const onAbort = (): void => {
    for (const child of children) child.kill('SIGINT');
  };
  // Detached children outlive a parent that exits without waiting for them (a second Ctrl-C): take them along.
  const onExit = (): void => {
    for (const child of children) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort);
  process.on('exit', onExit);
  try {
    while (queue.length > 0 || running.size > 0) {
      while (queue.length > 0 && running.size < Math.max(1, jobs) && !signal?.aborted) {
        const cell = queue.shift()!;
        const task = runCell(cell, options, children).then((outcome) => {
          outcomes.push(outcome);
          options.onCellDone?.(outcome, outcomes.length, total);
        });
        const tracked: Promise<void> = task.finally(() => running.delete(tracked));
        running.add(tracked);
      }
      if (running.size === 0) break; // aborted with cells left in the queue
      await Promise.race(running);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
  }
  return outcomes;
}

/**
 * One cell, as a child process of compare: {@link settleCell} decides, {@link spawnCell} runs it. The child
 * creates the folder itself with `--exact`, so of two compares racing for a fresh cell one trains it and the
 * other sees UNG_ERR_RUN_LOCKED, waits, and finds it completed.
 */
async function runCell(
  cell: MatrixCell,
  options: RunMatrixOptions,
  children: Set<ChildProcess>,
): Promise<CellOutcome> {
  const started = Date.now();
  const result = await settleCell(cell, options, (state) => spawnCell(cell, options, children, state, started));
  if (result === 'completed') return { cell, status: 'skipped', started: null, exitCode: null, error: null, seconds: 0 };
  if (result === 'interrupted') return { cell, status: 'interrupted', started: null, exitCode: null, error: null, seconds: (Date.now() - started) / 1000 };
  return result;
}

/**
 * The decision every runner of a cell makes, locally (compare's child processes) or in an executor's task
 * (`ungreedy compare-cell`): wait while another process holds the folder's lock (a second compare on the same
 * folder, a `run --resume` by hand), skip a completed folder, move a stale one aside, then `launch` the run
 * (`run --resume` for a resumable folder, else `run` of the cell's config); a launch that lost the race for the
 * folder returns 'locked', and the cell is decided again.
 */
export async function settleCell<R>(
  cell: MatrixCell,
  options: { readonly log: Logger; readonly signal?: AbortSignal | undefined },
  launch: (state: Exclude<CellState, 'busy' | 'completed'>) => Promise<R | 'locked'>,
): Promise<R | 'completed' | 'interrupted'> {
  for (;;) {
    const state = cellState(cell.dir);
    if (state === 'busy') {
      options.log.info({ cell: cell.id, lock: isLockedByOther(cell.dir) }, 'cell folder is being written by another process, waiting');
      if (!(await waitWhileBusy(cell.dir, options.signal))) return 'interrupted';
      continue;
    }
    if (state === 'completed') return 'completed';
    mkdirSync(dirname(cell.dir), { recursive: true });
    if (state === 'stale') moveAside(cell.dir);
    const result = await launch(state);
    if (result !== 'locked') return result;
  }
}

/** Polls until no live process holds the folder's lock; false if `signal` aborted first. */
async function waitWhileBusy(dir: string, signal: AbortSignal | undefined): Promise<boolean> {
  while (isLockedByOther(dir) !== null) {
    if (signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return !signal?.aborted;
}

async function spawnCell(
  cell: MatrixCell,
  options: RunMatrixOptions,
  children: Set<ChildProcess>,
  state: Exclude<CellState, 'busy' | 'completed'>,
  started: number,
): Promise<CellOutcome | 'locked'> {
  const childEnv = options.env ?? process.env;
  const threadsPerJob = Math.max(1, Math.floor(availableParallelism() / Math.max(1, options.jobs)));
  const parent = dirname(cell.dir);
  const how = state === 'resumable' ? 'resumed' : 'fresh';
  let configFile: string | null = null;
  let args: string[];
  if (how === 'resumed') {
    args = ['run', '--resume', cell.dir];
  } else {
    // The cell config must sit in the base config's folder: its plugin names and relative paths resolve there.
    configFile = join(options.experimentDir, `.ungreedy-cell-${process.pid}-${cell.id.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
    writeFileSync(configFile, `${JSON.stringify(cell.experiment, null, 2)}\n`);
    args = ['run', configFile, '--out', parent, '--exact'];
  }
  options.onCellStart?.(cell, how);
  options.log.debug({ cell: cell.id, how }, 'cell start');
  const entry = cellEntry();
  // The child writes straight into its console log (not through pipes to this process), so it can still log,
  // checkpoint and exit cleanly after compare itself died.
  const consoleFile = join(parent, `${basename(cell.dir)}.console.log`);
  const consoleFd = openSync(consoleFile, 'a');
  const logStart = fstatSync(consoleFd).size;
  let spawnError = '';
  const exitCode = await new Promise<number | null>((resolvePromise) => {
    const child = spawn(process.execPath, [...entry.execArgv, entry.file, ...args], {
      cwd: options.experimentDir,
      env: { ...childEnv, OMP_NUM_THREADS: childEnv.OMP_NUM_THREADS ?? String(threadsPerJob) },
      // The IPC channel is the child's lifeline: when compare dies (even by SIGKILL) it closes, and the child
      // checkpoints and stops as after SIGTERM (run/stop-signals.ts), so no cell outlives its compare.
      stdio: ['ignore', consoleFd, consoleFd, 'ipc'],
      // Its own process group: a terminal's Ctrl-C reaches only compare, which forwards exactly one SIGINT (a
      // second one would make the run quit without its checkpoint).
      detached: true,
    });
    children.add(child);
    child.on('error', (err) => {
      spawnError += `\n${err.message}`;
      children.delete(child);
      resolvePromise(null);
    });
    // 'exit', not 'close': the IPC channel would keep 'close' from firing after a disconnect.
    child.on('exit', (code) => {
      children.delete(child);
      resolvePromise(code);
    });
  });
  closeSync(consoleFd);
  if (configFile !== null) rmSync(configFile, { force: true });
  const stderrTail = readTail(consoleFile, logStart) + spawnError;
  const seconds = (Date.now() - started) / 1000;
  // Another writer holds (or just created) the folder: wait for it and decide again.
  if (exitCode === 2 && /^UNG_ERR_RUN_LOCKED: /m.test(stderrTail) && !options.signal?.aborted) return 'locked';
  // The summary decides: a run can complete and then be killed by a late interrupt on its way out.
  if (exitCode === 0 || cellState(cell.dir) === 'completed') return { cell, status: 'completed', started: how, exitCode, error: null, seconds };
  if (exitCode === 130 || exitCode === 143 || options.signal?.aborted) {
    return { cell, status: 'interrupted', started: how, exitCode, error: null, seconds };
  }
  return { cell, status: 'failed', started: how, exitCode, error: failureOf(cell.dir, stderrTail, exitCode), seconds };
}

/** Why a cell failed: summary.json, then manifest.json, then the CLI's `CODE: message` line on stderr. */
export function failureOf(dir: string, stderr: string, exitCode: number | null): { code: string; message: string } {
  const summary = readJsonOrNull<RunSummary>(join(dir, RUN_FILES.summary));
  if (summary?.error) return summary.error;
  const manifest = readJsonOrNull<RunManifest>(join(dir, RUN_FILES.manifest));
  if (manifest?.error) return manifest.error;
  const line = /^(UNG_ERR_[A-Z0-9_]+): (.*)$/m.exec(stderr);
  if (line) return { code: line[1]!, message: line[2]! };
  return { code: 'UNG_ERR_RUN_FAILED', message: `the run process exited with code ${exitCode ?? 'null (killed)'}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
}

/** Keeps a failed or half-started run folder for inspection as `seed<k>.failed-<n>`. */
function moveAside(dir: string): void {
  for (let n = 1; ; n++) {
    const target = `${dir}.failed-${n}`;
    if (!existsSync(target)) {
      renameSync(dir, target);
      return;
    }
  }
}

/** Removes the temporary cell configs (`.ungreedy-cell-<pid>-*.json`) of compares that died before removing them. */
function sweepCellConfigs(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.ungreedy-cell-(\d+)-.*\.json$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

/** The last 4000 characters a child wrote to its console log in this attempt. */
function readTail(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8').slice(-4000);
  } catch {
    return '';
  }
}

/** A JSON file's value, or null when it is missing or unreadable (a run folder's files are optional while it runs). */
export function readJsonOrNull<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
