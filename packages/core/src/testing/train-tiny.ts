import { builtinPlugin } from '../engine/assembly/builtins.js';
import type { ExperimentConfig } from '../engine/config/experiment-config.js';
import { validateConfig } from '../engine/config/validate-config.js';
import { buildModel } from '../engine/model/build-model.js';
import { definePlugin } from '../contract/plugin/define-plugin.js';
import type { PluginManifest } from '../contract/plugin/manifest.js';
import { createPluginRegistry } from '../engine/plugin/plugin-registry.js';
import { RngStreams } from '../contract/rng/rng.js';
import { FileRunStore } from '../engine/run/file-run-store.js';
import type { EpochRecord, MetricRecord, RunSummary, StepRecord } from '../engine/run/metric-records.js';
import type { HookObserver } from '../engine/trainer/hook-runner.js';
import { trainExperiment } from '../engine/assembly/train-experiment.js';
import { deepMerge } from '../engine/util/deep-merge.js';
import { systemClock } from '../engine/util/clock.js';
import type { JsonObject } from '../contract/util/json.js';
import { silentLogger } from './silent-logger.js';
import { tempDir } from './temp-dir.js';
import { setupTestBackend, testBackendName } from './test-backend.js';
import { tinyDatasetContribution } from './tiny-dataset.js';

/** The plugin that contributes the `tiny` dataset to {@link trainTiny}'s registry. */
export const tinyDatasetPlugin: PluginManifest = definePlugin({
  meta: { name: 'ungreedy-testing-tiny', version: '1.0.0', namespace: 'tiny', coreApi: '^2.0.0' },
  datasets: { tiny: tinyDatasetContribution },
});

/**
 * The raw config {@link trainTiny} starts from: the `tiny` dataset with an easy modality 1 and a hard modality 0,
 * a one-stage MLP per modality with MMTM after it, plain SGD, 2 epochs, utilization measured at the end.
 */
export const TINY_EXPERIMENT: JsonObject = {
  name: 'tiny',
  seed: 1,
  backend: testBackendName(),
  dataset: {
    use: 'tiny',
    options: {
      numClasses: 3,
      sizes: { train: 24, val: 6, test: 12 },
      modalities: [
        { shape: [6], signal: 0.5, noise: 1 },
        { shape: [6], signal: 2, noise: 0.3 },
      ],
    },
  },
  model: {
    encoders: [{ use: 'mlp', options: { hidden: [8] } }],
    fusion: { use: 'mmtm', options: {}, after: [0] },
  },
  strategy: { use: 'vanilla', options: {} },
  train: {
    epochs: 2,
    batchSize: 8,
    evalBatchSize: 32,
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false },
    scheduler: { type: 'none' },
  },
  metrics: { utilization: true, evaluateCheckpoint: 'last' },
};

export interface TrainTinyOptions {
  /** Deep-merged over {@link TINY_EXPERIMENT}, then validated like a config file (core and component schemas). */
  readonly config?: JsonObject;
  /** Plugins registered after core's built-ins and the tiny dataset (e.g. the strategy under test). */
  readonly plugins?: readonly PluginManifest[];
  /** Extra observers of the observe hooks. */
  readonly observers?: readonly HookObserver[];
  /** Run folder; a fresh temporary folder by default. */
  readonly dir?: string;
  /** Continue the run in `dir` from its `last` checkpoint (e.g. with more `train.epochs`). */
  readonly resume?: boolean;
}

export interface TinyRun {
  readonly config: ExperimentConfig;
  readonly summary: RunSummary;
  readonly records: readonly MetricRecord[];
  readonly epochs: readonly EpochRecord[];
  readonly steps: readonly StepRecord[];
  readonly dir: string;
}

/**
 * Trains a tiny experiment end to end with the real engine on the test backend (`setupTestBackend`): registry, config validation,
 * core's `buildModel`, `trainExperiment`, a run folder on disk. For strategy packages' integration tests.
 *
 * @example
 * const run = await trainTiny({ plugins: [plugin], config: { strategy: { use: 'guided' } } });
 * run.summary.utilization?.dUtil;
 */
export async function trainTiny(options: TrainTinyOptions = {}): Promise<TinyRun> {
  await setupTestBackend();
  const registry = createPluginRegistry();
  for (const manifest of [builtinPlugin, tinyDatasetPlugin, ...(options.plugins ?? [])]) {
    registry.add({ manifest, specifier: manifest.meta.name, resolvedFrom: '<trainTiny>' });
  }
  const raw = deepMerge(TINY_EXPERIMENT, options.config ?? {});
  const config = validateConfig(raw, { registry, file: '<trainTiny>' });
  const store = new FileRunStore(options.dir ?? tempDir('tiny'));
  const summary = await trainExperiment({
    config,
    configDir: store.dir,
    registry,
    store,
    rng: new RngStreams(config.seed),
    log: silentLogger(),
    clock: systemClock,
    resume: options.resume ?? false,
    progress: 'none',
    buildModel,
    ...(options.observers ? { observers: options.observers } : {}),
  });
  const records = store.readMetrics();
  return {
    config,
    summary,
    records,
    epochs: records.filter((r): r is EpochRecord => r.type === 'epoch'),
    steps: records.filter((r): r is StepRecord => r.type === 'step'),
    dir: store.dir,
  };
}
