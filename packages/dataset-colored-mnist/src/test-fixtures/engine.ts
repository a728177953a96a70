import type { Clock, ExperimentConfig, Logger, PluginRegistry, RngStreams, RunStore, RunSummary } from '@ungreedy/core';

/** The slice of core's `trainExperiment` options this package's end-to-end test passes. */
export interface EngineTrainOptions {
  readonly config: ExperimentConfig;
  readonly configDir: string;
  readonly registry: PluginRegistry;
  readonly store: RunStore;
  readonly rng: RngStreams;
  readonly log: Logger;
  readonly clock: Clock;
  readonly resume: boolean;
  readonly progress: 'bar' | 'lines' | 'none';
  readonly buildModel: (options: never) => Promise<unknown>;
}

export interface Engine {
  resolveExperiment(raw: unknown, options: { file: string; configDir: string }): Promise<{ config: ExperimentConfig; registry: PluginRegistry; configDir: string }>;
  trainExperiment(options: EngineTrainOptions): Promise<RunSummary>;
  buildModel: EngineTrainOptions['buildModel'];
  FileRunStore: new (dir: string) => RunStore & { readonly dir: string };
  systemClock: Clock;
}

/**
 * Core's engine entry points, loaded from the workspace sources at run time. Core's package root does not
 * export them yet (the CLI wraps them), and a static import would pull core's sources into this package's
 * type check; the loose specifier keeps them out, and `Engine` states what this test relies on.
 */
export async function loadEngine(): Promise<Engine> {
  const at = (path: string): string => new URL(`../../../core/src/${path}`, import.meta.url).href;
  const [config, model, store, trainer, clock] = await Promise.all([
    import(at('config/load-experiment.ts')),
    import(at('model/build-model.ts')),
    import(at('run/file-run-store.ts')),
    import(at('trainer/train-experiment.ts')),
    import(at('util/clock.ts')),
  ]);
  return {
    resolveExperiment: config.resolveExperiment,
    trainExperiment: trainer.trainExperiment,
    buildModel: model.buildModel,
    FileRunStore: store.FileRunStore,
    systemClock: clock.systemClock,
  };
}
