import { renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { BackendInfo } from '../backend/backend-info.js';
import { selectBackend } from '../backend/select-backend.js';
import type { LoadedExperiment } from './load-experiment.js';
import { createRootContainer } from './create-root-container.js';
import { createRunContainer } from './create-run-container.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { CreateLoggerOptions } from '../log/create-logger.js';
import type { Logger } from '../../contract/log/logger.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createLockedRunFolder } from '../run/create-run-folder.js';
import { outputDirIssue } from '../run/output-path-issues.js';
import { configInvalidError } from '../config/format-issues.js';
import { codedFsError } from '../util/fs-error.js';
import { hasCheckpoint } from '../trainer/checkpoint.js';
import { FileRunStore, RUN_FILES } from '../run/file-run-store.js';
import type { RunSummary } from '../run/metric-records.js';
import { createRunManifest } from '../run/run-manifest.js';
import type { RunLock } from '../run/run-lock.js';
import { trainRun } from '../trainer/train-run.js';
import { assembleRun } from './assemble-run.js';
import { openRunFolder } from './run-lifecycle.js';

export interface RunExperimentOptions {
  /** From `loadExperiment` / `resolveExperiment`: the resolved config and its loaded plugins. */
  readonly experiment: LoadedExperiment;
  /**
   * Where the run goes: `{ parent }` creates a new folder `<parent>/<output.runName ?? name-seed<seed>>`
   * (default parent: the config's `output.dir`, relative to the config file); `{ resume }` continues the
   * run in that folder from its last checkpoint. `exact` (compare cells): use `<parent>/<runName>` or fail with
   * UNG_ERR_RUN_LOCKED, never `<runName>-2`. Either way the run holds the folder's lock (`.lock`) until it ends.
   */
  readonly target?: { readonly parent: string; readonly exact?: boolean } | { readonly resume: string };
  /** Process-wide logger (the run gets its own child logger writing `<run>/log.jsonl`). */
  readonly log: Logger;
  /** An already selected backend; by default the config's `backend` is selected here. */
  readonly backend?: BackendInfo;
  readonly progress?: 'bar' | 'lines' | 'none';
  /** Terminal output of the run's logger and its level (the file always gets info and above). */
  readonly console?: CreateLoggerOptions['console'];
  readonly level?: string;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Called once the run folder exists and its manifest is written, before training starts. */
  onStart?(info: { readonly runDir: string; readonly backend: BackendInfo }): void;
}

/** How a run ended. A failed run keeps its folder; `error` is what `trainRun` threw. */
export interface RunOutcome {
  readonly runDir: string;
  readonly status: 'completed' | 'failed' | 'interrupted';
  readonly summary: RunSummary | null;
  readonly error: unknown;
  readonly backend: BackendInfo;
  /**
   * Set when a new run was stopped before its first checkpoint (during the dataset's first load, say): nothing
   * was trained, so its folder is removed and the same command starts it again under the same name.
   */
  readonly nothingTrained?: true;
}

/**
 * One run, start to end, as `ungreedy run` (and `compare`, for each of its runs) does it: select the
 * backend, create the run folder (only then, so bad input leaves nothing behind), open a child container,
 * write `config.resolved.json` and `manifest.json`, train, and record the end status in the manifest.
 * Rejects only for problems before the run folder exists (bad input, no backend); anything after is in
 * the outcome.
 *
 * @example
 * const experiment = await loadExperiment('cmnist.json');
 * const outcome = await runExperiment({ experiment, log });
 * if (outcome.status === 'completed') console.log(outcome.summary.test);
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunOutcome> {
  const { experiment, log } = options;
  const { config, configDir } = experiment;
  const clock = options.clock ?? systemClock;
  const target = options.target ?? { parent: resolve(configDir, config.output.dir) };
  const resume = 'resume' in target ? FileRunStore.open(target.resume) : undefined;
  const backend = options.backend ?? (await selectBackend(config.backend, log));
  let runDir: string;
  let lock: RunLock;
  if (resume !== undefined) {
    runDir = resume.dir;
    ({ lock } = openRunFolder(runDir, log, () => ({ config, checkpoint: join(runDir, RUN_FILES.checkpoints, 'last') })));
  } else {
    const parent = target as { parent: string; exact?: boolean };
    const rootIssue = outputDirIssue(resolve(parent.parent), '/output/dir', parent.parent);
    if (rootIssue) throw configInvalidError(experiment.file, [rootIssue]);
    ({ dir: runDir, lock } = createLockedRunFolder(parent.parent, config.output.runName ?? `${config.name}-seed${config.seed}`, {
      exact: parent.exact === true,
    }));
  }
  try {
    const outcome = await runLocked(options, runDir, resume !== undefined, backend, clock);
    if (resume !== undefined || outcome.status !== 'interrupted' || hasCheckpoint(join(runDir, RUN_FILES.checkpoints, 'last'))) return outcome;
    // Moved aside first (one rename, under the lock), so no one ever sees a half-removed run folder.
    const aside = `${runDir}.removing-${process.pid}`;
    renameSync(runDir, aside);
    rmSync(aside, { recursive: true, force: true });
    log.info({ runDir }, 'run stopped before training: its folder is removed');
    return { ...outcome, nothingTrained: true };
  } finally {
    lock.release();
  }
}

async function runLocked(options: RunExperimentOptions, runDir: string, resuming: boolean, backend: BackendInfo, clock: Clock): Promise<RunOutcome> {
  const { experiment, log } = options;
  const { config, registry, file, configDir } = experiment;
  const resume = resuming ? true : undefined;
  const root = createRootContainer({ log, registry, backend, clock });
  const scope = createRunContainer(root, {
    config,
    runDir,
    runId: basename(runDir),
    console: options.console ?? 'none',
    ...(options.level === undefined ? {} : { level: options.level }),
  });
  const { store } = scope;
  const run = assembleRun(scope.container, { configDir, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  try {
    if (resume === undefined) {
      store.writeJson(RUN_FILES.config, config);
      store.writeManifest(createRunManifest({ runId: basename(runDir), config, registry, backend, clock, configFile: file, configDir }));
    } else {
      const m = store.readManifest();
      store.updateManifest({
        status: 'running', endedAt: null, error: null,
        backend: { name: backend.name, reason: backend.reason }, resumedAt: [...m.resumedAt, clock.isoNow()],
      });
    }
    scope.log.info({ runDir, backend: backend.name, seed: config.seed, resume: resume !== undefined }, 'run start');
    options.onStart?.({ runDir, backend });
    try {
      const summary = await trainRun(run, {
        resume: resume !== undefined, progress: options.progress ?? 'lines',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (options.signal?.aborted && summary.status !== 'completed') {
        store.updateManifest({ status: 'interrupted', endedAt: clock.isoNow() });
        return { runDir, status: 'interrupted', summary, error: null, backend };
      }
      store.updateManifest({ status: summary.status, endedAt: clock.isoNow(), error: summary.error });
      scope.log.info({ status: summary.status, test: summary.test }, 'run end');
      return { runDir, status: summary.status, summary, error: null, backend };
    } catch (raw) {
      if (options.signal?.aborted) {
        store.updateManifest({ status: 'interrupted', endedAt: clock.isoNow() });
        scope.log.warn({ err: raw }, 'run interrupted');
        return { runDir, status: 'interrupted', summary: null, error: raw, backend };
      }
      // A full or read-only disk met by a write through a file handle carries no path: name the run folder.
      const err = codedFsError(raw, (raw as NodeJS.ErrnoException).path ?? runDir, 'write to the run folder');
      const error = isUngreedyError(err)
        ? { code: err.code, message: err.message }
        : { code: err instanceof Error ? err.name : 'Error', message: String(err) };
      try {
        store.updateManifest({ status: 'failed', endedAt: clock.isoNow(), error });
      } catch (writeErr) {
        // The same full disk may refuse the manifest too: the run's own error is what the user must see.
        scope.log.error({ err: writeErr }, 'could not record the failure in manifest.json');
      }
      scope.log.error({ err }, 'run failed');
      return { runDir, status: 'failed', summary: null, error: err, backend };
    }
  } finally {
    run.dispose();
    await scope.dispose();
  }
}
