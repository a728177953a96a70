import type { ExperimentConfig } from '../config/experiment-config.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { RunStore } from '../run/run-store.js';
import type { RngStreams } from '../rng/rng.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import type { RunSummary } from '../run/metric-records.js';
import { UngreedyError } from '../errors.js';

/** Everything a training run needs; the CLI resolves these from the run's child container. */
export interface TrainExperimentOptions {
  readonly config: ExperimentConfig;
  /** Folder of the config file, for relative paths in component options. */
  readonly configDir: string;
  readonly registry: PluginRegistry;
  readonly store: RunStore;
  readonly rng: RngStreams;
  readonly log: Logger;
  readonly clock: Clock;
  /** Continue from the run folder's `last` checkpoint. */
  readonly resume: boolean;
  /** Draw progress bars (a terminal) or log plain lines. */
  readonly progress: 'bar' | 'lines' | 'none';
  /** Cancels the run at the next step boundary after writing a checkpoint (SIGINT). */
  readonly signal?: AbortSignal;
}

/**
 * Trains the experiment into `store.dir`, evaluates it (accuracies, conditional utilization) and writes
 * `summary.json`. Resolves with the summary; rejects with an UngreedyError for bad input or divergence.
 */
export async function trainExperiment(_options: TrainExperimentOptions): Promise<RunSummary> {
  throw new UngreedyError('UNG_ERR_RUN_DIVERGED', 'training is not implemented yet (engine issue).');
}
