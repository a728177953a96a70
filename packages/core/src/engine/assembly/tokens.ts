import type { InjectionToken } from 'tsyringe';
import type { Dataset } from '../../contract/data/dataset.js';
import type { Logger } from '../../contract/log/logger.js';
import type { RngStreams } from '../../contract/rng/rng.js';
import type { BackendInfo } from '../backend/backend-info.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { BuildModelOptions, MultiModalModel } from '../model/multimodal-model.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { RunStore } from '../run/run-store.js';
import type { OptimizedParam, Optimizer } from '../trainer/optimizer.js';
import type { ResolvedStrategy } from '../trainer/run-parts.js';
import type { Clock } from '../util/clock.js';

/**
 * Every DI token (STYLE.md H3): typed symbols, never strings, never emitted decorator metadata (esbuild-based
 * runners emit none). The root container holds process-wide services; each run gets a child container with its
 * own config, RNG streams, run store and logger, so two runs in one process share no state; `assembleRun`
 * registers the component factories below in that child and resolves them (packages/core/README.md, "How a run
 * is assembled").
 */
export const LOGGER: InjectionToken<Logger> = Symbol('ungreedy.Logger');
export const BACKEND: InjectionToken<BackendInfo> = Symbol('ungreedy.Backend');
export const PLUGIN_REGISTRY: InjectionToken<PluginRegistry> = Symbol('ungreedy.PluginRegistry');
export const RNG: InjectionToken<RngStreams> = Symbol('ungreedy.Rng');
export const RUN_STORE: InjectionToken<RunStore> = Symbol('ungreedy.RunStore');
export const CLOCK: InjectionToken<Clock> = Symbol('ungreedy.Clock');
export const CONFIG: InjectionToken<ExperimentConfig> = Symbol('ungreedy.Config');
/** Folder of the config file: relative paths in component options (and the dataset cache) start there. */
export const CONFIG_DIR: InjectionToken<string> = Symbol('ungreedy.ConfigDir');

/** The run's dataset, created once (a promise: datasets load asynchronously). */
export const DATASET: InjectionToken<Promise<Dataset>> = Symbol('ungreedy.Dataset');
/** Builds the run's model; default core's `buildModel`. Custom architectures and tests register their own. */
export type ModelBuilder = (options: BuildModelOptions) => MultiModalModel | Promise<MultiModalModel>;
export const MODEL_BUILDER: InjectionToken<ModelBuilder> = Symbol('ungreedy.ModelBuilder');
/** Creates the run's strategy for a model with this many branches. */
export type StrategyFactory = (numModalities: number) => Promise<ResolvedStrategy>;
export const STRATEGY_FACTORY: InjectionToken<StrategyFactory> = Symbol('ungreedy.StrategyFactory');
/** Creates the run's optimizer over the model's trainable parameters. */
export type OptimizerFactory = (params: readonly OptimizedParam[]) => Optimizer;
export const OPTIMIZER_FACTORY: InjectionToken<OptimizerFactory> = Symbol('ungreedy.OptimizerFactory');
/**
 * The backward pass a run trains with, installed when the run is assembled and restored when it is disposed
 * (`restore`), so no patch of TensorFlow.js outlives a run. Default: the lean pass (engine/assembly/gradient-pass.ts).
 */
export interface GradientPass {
  restore(): void;
}
export const GRADIENT_PASS: InjectionToken<GradientPass> = Symbol('ungreedy.GradientPass');
