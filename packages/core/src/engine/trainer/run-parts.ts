import type { Dataset, ModalitySpec } from '../../contract/data/dataset.js';
import type { Logger } from '../../contract/log/logger.js';
import type { RngStreams } from '../../contract/rng/rng.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import type { RunStore } from '../run/run-store.js';
import type { Clock } from '../util/clock.js';
import type { OptimizedParam, Optimizer } from './optimizer.js';

/** The run's strategy as created from its plugin, with the key its state is saved under. */
export interface ResolvedStrategy {
  readonly strategy: BalancingStrategy;
  /** `<plugin namespace>/<strategy id>`: the strategy's entry in a checkpoint's `strategies`. */
  readonly key: string;
  /** The contributing plugin's package name (hook errors and log lines name it). */
  readonly pluginName: string;
}

/**
 * What the trainer gets from the composition root (engine/assembly/assemble-run.ts): the run's services and a
 * factory for each component, every one resolved from the run's child container. The trainer builds nothing
 * from the registry itself, so what a kit overrides in the container is what trains.
 */
export interface RunParts {
  readonly config: ExperimentConfig;
  /** Folder of the config file, for relative paths in component options. */
  readonly configDir: string;
  readonly store: RunStore;
  readonly rng: RngStreams;
  readonly log: Logger;
  readonly clock: Clock;
  /** The config's dataset (created once per run, with the `data` stream). */
  dataset(): Promise<Dataset>;
  /** The config's model for these modalities, initialised from the `init` stream. */
  buildModel(modalities: readonly ModalitySpec[], numClasses: number, loadPretrained: boolean): Promise<MultiModalModel>;
  /** The config's strategy for a model of `numModalities` branches. */
  strategy(numModalities: number): Promise<ResolvedStrategy>;
  /** The config's optimizer over these parameters. */
  optimizer(params: readonly OptimizedParam[]): Optimizer;
}
