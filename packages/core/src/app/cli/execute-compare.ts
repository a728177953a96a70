import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';
import type { Executor, ExecutorContext } from '../../contract/executor/executor.js';
import type { JsonObject } from '../../contract/util/json.js';
import type { Logger } from '../../contract/log/logger.js';
import { configInvalidError, displayPath } from '../../engine/config/format-issues.js';
import { checkComponents } from '../../engine/config/validate-config.js';
import { loadPlugins } from '../../engine/plugin/load-plugins.js';
import { builtinPlugin } from '../../engine/assembly/builtins.js';
import type { PluginRegistry } from '../../engine/plugin/registry.js';
import { RUN_FILES } from '../../engine/run/file-run-store.js';
import type { RunManifest, RunSummary } from '../../engine/run/metric-records.js';
import { onStopSignals } from '../../engine/run/stop-signals.js';
import type { ComparePlan } from '../compare/compare-config.js';
import { cellState, cellEntry, failureOf, readJsonOrNull, type CellOutcome } from '../compare/run-matrix.js';
import { readExecutorState, writeCellFiles, writeExecutorState, type ExecutorState } from '../executors/compare-folder.js';
import { executorsPlugin } from '../executors/executors-plugin.js';
import type { CliContext } from './cli-command.js';
import { ProgressBar, outcomeLine, printResults, writeIndex } from './commands/compare.js';

type TaskState = Awaited<ReturnType<Executor['poll']>>[number];

/** Adds core's executors to a registry (once). */
export function withExecutors(registry: PluginRegistry): PluginRegistry {
  if (!registry.plugins.some((p) => p.manifest === executorsPlugin)) registry.add({ manifest: executorsPlugin, specifier: '@ungreedy/core', resolvedFrom: 'builtin' });
  return registry;
}

/**
 * Resolves `{ use, options }` of an executor against the registry: unknown ids and bad options are
 * UNG_ERR_CONFIG_INVALID pointing at `/executor/...` of `file`; the options come back with defaults merged.
 */
export function resolveExecutorChoice(registry: PluginRegistry, choice: { use: string; options: JsonObject }, file: string): { use: string; options: JsonObject } {
  const holder: Record<string, unknown> = { executor: { use: choice.use, options: structuredClone(choice.options) } };
  const issues = checkComponents(holder, registry);
  if (issues.length > 0) throw configInvalidError(file, issues);
  return holder['executor'] as { use: string; options: JsonObject };
}

/** The command line that runs cell `index` of `compareDir` on a worker (`options.command` replaces node + entry). */
export function cellCommandLine(compareDir: string, command: readonly string[] | null): (index: number) => string[] {
  const entry = cellEntry();
  const head = command ?? [process.execPath, ...entry.execArgv, entry.file];
  return (index) => [...head, 'compare-cell', compareDir, String(index)];
}

/** Creates the executor `use` (resolved options) for a compare folder. */
export async function createExecutor(
  registry: PluginRegistry,
  choice: { use: string; options: JsonObject },
  compareDir: string,
  cellIds: readonly string[],
  io: { env: NodeJS.ProcessEnv; log: Logger; notify?: () => void },
): Promise<Executor> {
  const found = registry.find('executors', choice.use);
  if (found === undefined) {
    throw new UngreedyError('UNG_ERR_UNKNOWN_COMPONENT', `executor "${choice.use}" must be provided by a loaded plugin, but none provides it (known: ${registry.ids('executors').join(', ')}). Load the plugin that provides it.`, { kind: 'executors', id: choice.use });
  }
  const command = Array.isArray(choice.options['command']) ? (choice.options['command'] as string[]) : null;
  const ctx: ExecutorContext = {
    compareDir,
    workDir: join(compareDir, choice.use),
    cellCount: cellIds.length,
    cellIds,
    cellCommand: cellCommandLine(compareDir, command),
    env: io.env,
    log: io.log,
    notify: io.notify ?? (() => undefined),
  };
  try {
    return await found.contribution.create(choice.options, ctx);
  } catch (cause) {
    if (isUngreedyError(cause)) throw cause;
    throw new UngreedyError('UNG_ERR_EXECUTOR_FAILED', `executor "${choice.use}" of plugin "${found.plugin.manifest.meta.name}" should start, but create() threw. Fix the executor's options or the plugin.`, { executor: choice.use, action: 'create' }, { cause });
  }
}

/** The registry a compare plan's executor comes from: the compare config's plugins and core's executors. */
export async function executorRegistry(plan: ComparePlan, log: Logger): Promise<PluginRegistry> {
  return withExecutors(await loadPlugins({ specifiers: plan.config.plugins, configDir: dirname(plan.file), log, builtins: builtinPlugin }));
}

/** Calls an executor method, giving a non-coded failure the executor's code. */
async function call<T>(use: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (isUngreedyError(cause)) throw cause;
    throw new UngreedyError('UNG_ERR_EXECUTOR_FAILED', `executor "${use}" should ${action} the cells, but it threw. See the Reason line; fix the executor's options or environment and run compare again.`, { executor: use, action }, { cause });
  }
}

/** Whether a task still needs watching. */
const active = (s: TaskState): boolean => s.state === 'pending' || s.state === 'running';

/**
 * `compare --executor <id>` for a scheduler (docs/cluster.md): writes the cell configs and index into the compare
 * folder, then either watches the job recorded in `executor.json` while any of its tasks is pending or running
 * (never a second submission), or submits every cell not completed as ONE job and records it (atomic write).
 * With `detach` it returns after the submission; otherwise it polls the tasks, prints a line per finished cell (as
 * a local compare does) and, when none is left, writes the tables.
 */
export async function executeComparePlan(
  plan: ComparePlan,
  choice: { use: string; options: JsonObject },
  options: { detach: boolean; registry: PluginRegistry; pollMs?: number },
  ctx: CliContext,
): Promise<number> {
  const total = plan.cells.length;
  const startedAt = Date.now();
  writeIndex(plan, []);
  writeCellFiles(plan);
  let wake: (() => void) | null = null;
  const executor = await createExecutor(options.registry, choice, plan.outDir, plan.cells.map((c) => c.id), { env: ctx.env, log: ctx.log, notify: () => wake?.() });
  if (options.detach && !executor.detachable) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `compare --detach needs an executor whose jobs outlive compare (slurm), but "${choice.use}" runs the cells inside this process. Drop --detach or use --executor slurm.`, { command: 'compare', argument: 'detach' });
  }
  const pollMs = options.pollMs ?? Math.round(1000 * (typeof choice.options['pollSeconds'] === 'number' ? choice.options['pollSeconds'] : executor.detachable ? 10 : 0.2));
  ctx.out(`Comparing ${plan.config.strategies.map((s) => s.label).join(', ')}${plan.config.unimodal ? ' and the uni-modal baselines' : ''} on ${plan.datasets.join(', ')} over seeds ${plan.config.seeds.join(', ')}: ${total} runs, executor ${choice.use}.`);
  ctx.out(`Matrix folder: ${displayPath(plan.outDir)}`);

  // An earlier submission still active: watch it.
  const state = readExecutorState(plan.outDir);
  const last = state?.use === choice.use ? state.jobs.at(-1) : undefined;
  let job: { id: string; indices: readonly number[] } | null = null;
  if (last !== undefined && executor.detachable) {
    const states = await call(choice.use, 'poll', () => executor.poll(last.id, last.indices));
    if (states.some(active)) {
      job = last;
      ctx.out(`Job ${last.id} of this folder is still ${states.some((s) => s.state === 'running') ? 'running' : 'pending'}: watching it (nothing is submitted again).`);
    }
  }
  let done = 0;
  const reported = new Set<number>();
  const outcomes: CellOutcome[] = [];
  const report = (o: CellOutcome, index: number, extra: string[] = []): void => {
    reported.add(index);
    outcomes.push(o);
    done++;
    bar?.clear();
    ctx.out(outcomeLine(o, done, total));
    for (const line of extra) ctx.out(line);
  };
  const bar = ctx.isTTY && !options.detach ? new ProgressBar(total) : null;
  if (job === null) {
    const todo: number[] = [];
    plan.cells.forEach((cell, index) => {
      if (cellState(cell.dir) === 'completed') report({ cell, status: 'skipped', started: null, exitCode: null, error: null, seconds: 0 }, index);
      else todo.push(index);
    });
    if (todo.length > 0) {
      const submitted = await call(choice.use, 'submit', () => executor.submit(todo));
      job = submitted;
      if (executor.detachable) {
        const record: ExecutorState = { use: choice.use, options: choice.options, jobs: [...(state?.use === choice.use ? state.jobs : []), { id: submitted.id, indices: submitted.indices, submittedAt: new Date().toISOString() }] };
        writeExecutorState(plan.outDir, record);
      }
      ctx.out(`Submitted job ${submitted.id}: ${todo.length} cell${todo.length === 1 ? '' : 's'} (${plan.cells.length - todo.length} already completed).`);
    }
  }
  if (job !== null && options.detach) {
    ctx.out(`Job id: ${job.id}`);
    ctx.out(`Watch it with: ungreedy status ${displayPath(plan.outDir)}; collect the tables when it is done with: ungreedy report ${displayPath(plan.outDir)} (or run compare again).`);
    return 0;
  }
  if (job !== null) {
    for (const [index, cell] of plan.cells.entries()) if (!job.indices.includes(index) && !reported.has(index) && cellState(cell.dir) === 'completed') report({ cell, status: 'skipped', started: null, exitCode: null, error: null, seconds: 0 }, index);
    const interrupted = await watch(executor, job, { plan, pollMs, choice, ctx, bar, startedAt, report, reported, setWake: (w) => (wake = w) });
    if (interrupted !== null) return interrupted;
    // Cells outside the watched job (it was submitted before they failed) that are not completed: the next compare submits them.
    for (const [index, cell] of plan.cells.entries()) {
      if (reported.has(index)) continue;
      if (cellState(cell.dir) === 'completed') report({ cell, status: 'skipped', started: null, exitCode: null, error: null, seconds: 0 }, index);
      else report({ cell, status: 'interrupted', started: null, exitCode: null, error: { code: 'UNG_ERR_RUN_INTERRUPTED', message: `not part of job ${job.id}; run compare again to submit it` }, seconds: 0 }, index);
    }
  }
  bar?.stop();
  writeIndex(plan, outcomes.filter((o) => o.status === 'failed'));
  // A task cancelled, preempted or timed out after its checkpoint is not done: compare exits 1 and resumes it next time.
  return printResults(plan, outcomes.filter((o) => o.status === 'failed' || o.status === 'interrupted'), ctx, startedAt);
}

/** Polls until every task of `job` has ended, reporting each as it ends. Returns an exit code if interrupted. */
async function watch(
  executor: Executor,
  job: { id: string; indices: readonly number[] },
  w: {
    plan: ComparePlan; pollMs: number; choice: { use: string }; ctx: CliContext; bar: ProgressBar | null; startedAt: number;
    report: (o: CellOutcome, index: number, extra?: string[]) => void; reported: Set<number>; setWake: (w: (() => void) | null) => void;
  },
): Promise<number | null> {
  const { plan, ctx, bar } = w;
  const stop = onStopSignals((name) => {
    ctx.err(executor.detachable
      ? `Interrupted (${name}): compare stops watching; job ${job.id} keeps running. See it with ungreedy status ${displayPath(plan.outDir)}; collect with ungreedy report or compare again.`
      : `Interrupted (${name}): the running cells checkpoint and stop (send it again to quit now). Run the same command again to continue.`);
    if (!executor.detachable) void executor.cancel(job.id);
    w.setWake(null);
  });
  const unknownSeen = new Map<number, number>();
  const started = new Set<number>();
  try {
    for (;;) {
      const states = await call(w.choice.use, 'poll', () => executor.poll(job.id, job.indices));
      for (const s of states) {
        if (w.reported.has(s.index)) continue;
        if (s.state === 'running') started.add(s.index);
        if (s.state === 'unknown') unknownSeen.set(s.index, (unknownSeen.get(s.index) ?? 0) + 1);
        // A task the scheduler forgot (twice in a row, not a race with the submission) ends; its folder decides.
        if (s.state === 'done' || s.state === 'failed' || (s.state === 'unknown' && unknownSeen.get(s.index)! >= 2)) {
          const cell = plan.cells[s.index]!;
          const { outcome, extra } = outcomeOf(cell, s, stop.signal.aborted);
          w.report(outcome, s.index, extra);
        }
      }
      const running = states.filter((s) => s.state === 'running').length;
      bar?.draw(w.reported.size, running, w.startedAt);
      if (job.indices.every((i) => w.reported.has(i))) break;
      if (stop.signal.aborted && executor.detachable) {
        bar?.stop();
        return stop.exitCode();
      }
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, w.pollMs);
        w.setWake(() => {
          clearTimeout(timer);
          resolveWait();
        });
      });
    }
  } finally {
    stop.dispose();
    w.setWake(null);
  }
  if (stop.signal.aborted) {
    bar?.stop();
    ctx.out(`Interrupted with ${w.reported.size}/${plan.cells.length} runs done; run the same command again to finish the matrix.`);
    return stop.exitCode();
  }
  return null;
}

/** A finished task as a cell outcome: the run folder decides completed; else the exit code and the log's tail. */
function outcomeOf(cell: ComparePlan['cells'][number], s: TaskState, aborted: boolean): { outcome: CellOutcome; extra: string[] } {
  const summary = readJsonOrNull<RunSummary>(join(cell.dir, RUN_FILES.summary));
  const manifest = readJsonOrNull<RunManifest>(join(cell.dir, RUN_FILES.manifest));
  const seconds = summary?.seconds ?? 0;
  const started = (manifest?.resumedAt.length ?? 0) > 0 ? 'resumed' : 'fresh';
  if (cellState(cell.dir) === 'completed') return { outcome: { cell, status: 'completed', started, exitCode: s.exitCode, error: null, seconds }, extra: [] };
  if (aborted || s.exitCode === 130 || s.exitCode === 143) {
    const error = { code: 'UNG_ERR_RUN_INTERRUPTED', message: `stopped by a signal after its checkpoint${s.reason === null ? '' : ` (${s.reason})`}; run compare again to resume it` };
    return { outcome: { cell, status: 'interrupted', started, exitCode: s.exitCode, error, seconds }, extra: [] };
  }
  const tail = readTail(s.logFile);
  const error = failureOf(cell.dir, tail, s.exitCode);
  const extra = [`    exit code ${s.exitCode ?? 'unknown'}${s.reason === null ? '' : ` (${s.reason})`}${s.logFile === null ? '' : `; log ${displayPath(s.logFile)}, last lines:`}`, ...tail.trimEnd().split('\n').slice(-5).filter((l) => l.length > 0).map((l) => `      ${l}`)];
  return { outcome: { cell, status: 'failed', started, exitCode: s.exitCode, error, seconds }, extra };
}

function readTail(file: string | null): string {
  if (file === null) return '';
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

