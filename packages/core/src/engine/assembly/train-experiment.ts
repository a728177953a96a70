import type { ExperimentConfig } from '../config/experiment-config.js';
import type { Logger } from '../../contract/log/logger.js';
import type { RngStreams } from '../../contract/rng/rng.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { RunSummary } from '../run/metric-records.js';
import type { RunStore } from '../run/run-store.js';
import { trainRun, type TrainRunOptions } from '../trainer/train-run.js';
import type { Clock } from '../util/clock.js';
import { assembleRun } from './assemble-run.js';
import { createRootContainer } from './create-root-container.js';
import { registerRunServices } from './create-run-container.js';
import { MODEL_BUILDER, type ModelBuilder } from './tokens.js';

/** A training run from services the caller already has (kits, tests, tools); `run` uses `runExperiment`. */
export interface TrainExperimentOptions extends TrainRunOptions {
  readonly config: ExperimentConfig;
  /** Folder of the config file, for relative paths in component options. */
  readonly configDir: string;
  readonly registry: PluginRegistry;
  readonly store: RunStore;
  readonly rng: RngStreams;
  readonly log: Logger;
  readonly clock: Clock;
  /** Builds the model (registered as MODEL_BUILDER); default: core's `buildModel`. */
  readonly buildModel?: ModelBuilder;
}

/**
 * Trains the experiment into `store.dir` through the composition root: a root and a run container over the given
 * services, `assembleRun`, `trainRun`, and the run disposed however it ends. Resolves with the summary; rejects with an
 * UngreedyError for bad input or divergence, or with the signal's reason when aborted (after writing the `last`
 * checkpoint; the manifest then says `interrupted`).
 *
 * @example
 * const summary = await trainExperiment({ config, configDir, registry, store, rng: new RngStreams(config.seed),
 *   log, clock: systemClock, resume: false, progress: 'lines' });
 * summary.utilization?.dUtil;
 */
export async function trainExperiment(options: TrainExperimentOptions): Promise<RunSummary> {
  const { config, configDir, registry, store, rng, log, clock } = options;
  const child = createRootContainer({ log, registry, clock }).createChildContainer();
  registerRunServices(child, { config, rng, store, log });
  if (options.buildModel !== undefined) child.register(MODEL_BUILDER, { useValue: options.buildModel });
  const run = assembleRun(child, { configDir });
  try {
    return await trainRun(run, options);
  } finally {
    run.dispose();
    await child.dispose();
  }
}
