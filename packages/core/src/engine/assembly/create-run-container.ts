import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { createLogger, type CreateLoggerOptions } from '../log/create-logger.js';
import type { Logger } from '../../contract/log/logger.js';
import { RngStreams } from '../../contract/rng/rng.js';
import { FileRunStore, RUN_FILES } from '../run/file-run-store.js';
import type { RunStore } from '../run/run-store.js';
import { CONFIG, LOGGER, RNG, RUN_STORE } from './tokens.js';

export interface RunContainerOptions {
  readonly config: ExperimentConfig;
  /** The run folder (created if missing). */
  readonly runDir: string;
  /** Bound to every log line as `run`. Default: the folder's name. */
  readonly runId: string;
  /** Terminal output of the run's logger; its file is always `<runDir>/log.jsonl`. Default `auto`. */
  readonly console?: CreateLoggerOptions['console'];
  readonly level?: string;
}

/** One run's scope: its child container and the services registered in it. */
export interface RunScope {
  readonly container: DependencyContainer;
  readonly config: ExperimentConfig;
  readonly store: FileRunStore;
  readonly rng: RngStreams;
  readonly log: Logger;
  /** Closes the run's log file and disposes what the container created; call once the run ends. */
  dispose(): Promise<void>;
}

/**
 * A child container per run (tsyringe's per-request pattern): its own Config, RNG streams (seeded from
 * `config.seed`), RunStore and Logger (JSON lines to `<runDir>/log.jsonl`), over the root's registry,
 * clock and backend. Two runs in one process share no mutable state.
 *
 * @example
 * const scope = createRunContainer(root, { config, runDir, runId: 'cmnist-seed1' });
 * const run = assembleRun(scope.container, { configDir });
 * try { await trainRun(run, { resume: false, progress: 'lines' }); } finally { run.dispose(); await scope.dispose(); }
 */
export function createRunContainer(root: DependencyContainer, options: RunContainerOptions): RunScope {
  const child = root.createChildContainer();
  const store = new FileRunStore(options.runDir);
  const rng = new RngStreams(options.config.seed);
  const handle = createLogger({
    file: join(store.dir, RUN_FILES.log),
    bindings: { run: options.runId },
    console: options.console ?? 'auto',
    ...(options.level === undefined ? {} : { level: options.level }),
  });
  registerRunServices(child, { config: options.config, rng, store, log: handle.log });
  let disposed = false;
  return {
    container: child,
    config: options.config,
    store,
    rng,
    log: handle.log,
    async dispose() {
      if (disposed) return;
      disposed = true;
      handle.close();
      await child.dispose();
    },
  };
}

/** The services every run's child container holds, as values: its config, RNG streams, store and logger. */
export function registerRunServices(
  child: DependencyContainer,
  services: { readonly config: ExperimentConfig; readonly rng: RngStreams; readonly store: RunStore; readonly log: Logger },
): void {
  child.register(CONFIG, { useValue: services.config });
  child.register(RNG, { useValue: services.rng });
  child.register(RUN_STORE, { useValue: services.store });
  child.register(LOGGER, { useValue: services.log });
}
