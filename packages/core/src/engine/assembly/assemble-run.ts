import 'reflect-metadata';
import { instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { datasetCacheDir, type Dataset } from '../../contract/data/dataset.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { buildModel } from '../model/build-model.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { createOptimizer } from '../trainer/optimizer.js';
import type { RunParts } from '../trainer/run-parts.js';
import { withDefaultOptions } from '../util/deep-merge.js';
import { leanGradientPass } from './gradient-pass.js';
import {
  CLOCK,
  CONFIG,
  CONFIG_DIR,
  DATASET,
  GRADIENT_PASS,
  LOGGER,
  MODEL_BUILDER,
  OPTIMIZER_FACTORY,
  PLUGIN_REGISTRY,
  RNG,
  RUN_STORE,
  STRATEGY_FACTORY,
  type StrategyFactory,
} from './tokens.js';

/** A run put together by {@link assembleRun}: the trainer's parts, resolved from the run's child container. */
export interface AssembledRun extends RunParts {
  readonly container: DependencyContainer;
  readonly registry: PluginRegistry;
  /** Restores what assembly installed (the gradient pass). Call once the run ends, also after an error or abort. */
  dispose(): void;
}

/**
 * The composition root of a run: `run`, `run --resume`, `evaluate`, compare cells (which run `ungreedy run`) and
 * the conformance kits all put a run together here. `container` is the run's child container
 * (`createRunContainer`, or a kit's) holding CONFIG, RNG, RUN_STORE and LOGGER over the root's PLUGIN_REGISTRY and
 * CLOCK. This registers, once, a factory for each component under its token of tokens.ts (DATASET, MODEL_BUILDER,
 * STRATEGY_FACTORY, OPTIMIZER_FACTORY, GRADIENT_PASS) and resolves everything the trainer needs from the
 * container. A registration already in `container` wins: that is how a kit swaps in a tiny dataset or its own
 * model builder. The gradient pass is installed now and restored by `dispose`.
 *
 * @example
 * const scope = createRunContainer(root, { config, runDir, runId: 'cmnist-seed1' });
 * const run = assembleRun(scope.container, { configDir });
 * try { await trainRun(run, { resume: false, progress: 'lines' }); } finally { run.dispose(); await scope.dispose(); }
 */
export function assembleRun(
  container: DependencyContainer,
  options: {
    readonly configDir: string;
    /** The run's stop signal, handed to the dataset so a first load (renders, caches) stops when asked. */
    readonly signal?: AbortSignal;
  },
): AssembledRun {
  const provide = <T>(token: InjectionToken<T>, factory: (c: DependencyContainer) => T): void => {
    if (!container.isRegistered(token, false)) container.register(token, { useFactory: instanceCachingFactory(factory) });
  };
  if (!container.isRegistered(CONFIG_DIR, false)) container.register(CONFIG_DIR, { useValue: options.configDir });
  provide(DATASET, (c) => createDataset(c, options.signal));
  if (!container.isRegistered(MODEL_BUILDER, false)) container.register(MODEL_BUILDER, { useValue: buildModel });
  provide(STRATEGY_FACTORY, strategyFactory);
  provide(OPTIMIZER_FACTORY, (c) => {
    const config = c.resolve(CONFIG);
    return (params) => createOptimizer(config.train.optimizer, params);
  });
  provide(GRADIENT_PASS, () => leanGradientPass());

  const config = container.resolve(CONFIG);
  const configDir = container.resolve(CONFIG_DIR);
  const rng = container.resolve(RNG);
  const log = container.resolve(LOGGER);
  const registry = container.resolve(PLUGIN_REGISTRY);
  const gradientPass = container.resolve(GRADIENT_PASS);
  return {
    container,
    config,
    configDir,
    store: container.resolve(RUN_STORE),
    rng,
    log,
    clock: container.resolve(CLOCK),
    registry,
    dataset: () => container.resolve(DATASET),
    async buildModel(modalities, numClasses, loadPretrained) {
      return container.resolve(MODEL_BUILDER)({
        model: config.model,
        modalities,
        numClasses,
        registry,
        rng: rng.get('init'),
        log,
        configDir,
        loadPretrained,
      });
    },
    strategy: (numModalities) => container.resolve(STRATEGY_FACTORY)(numModalities),
    optimizer: (params) => container.resolve(OPTIMIZER_FACTORY)(params),
    dispose: () => gradientPass.restore(),
  };
}

/** The dataset a config names, created with the run's `data` stream and its cache folder. */
async function createDataset(c: DependencyContainer, signal: AbortSignal | undefined): Promise<Dataset> {
  const config = c.resolve(CONFIG);
  const configDir = c.resolve(CONFIG_DIR);
  const registry = c.resolve(PLUGIN_REGISTRY);
  const found = registry.find('datasets', config.dataset.use);
  if (!found) throw unknownComponent('datasets', config.dataset.use, registry, '/dataset/use');
  return found.contribution.create(withDefaultOptions(found.contribution.meta.defaultOptions, config.dataset.options), {
    rng: c.resolve(RNG).get('data'),
    log: c.resolve(LOGGER),
    configDir,
    cacheDir: datasetCacheDir(configDir),
    ...(signal === undefined ? {} : { signal }),
  });
}

function strategyFactory(c: DependencyContainer): StrategyFactory {
  const config: ExperimentConfig = c.resolve(CONFIG);
  const registry = c.resolve(PLUGIN_REGISTRY);
  const log = c.resolve(LOGGER);
  return async (numModalities) => {
    const found = registry.find('strategies', config.strategy.use);
    if (!found) throw unknownComponent('strategies', config.strategy.use, registry, '/strategy/use');
    const meta = found.plugin.manifest.meta;
    const strategy = await found.contribution.create(withDefaultOptions(found.contribution.meta.defaultOptions, config.strategy.options), {
      numModalities,
      log: log.child({ plugin: meta.name }),
    });
    return { strategy, key: `${meta.namespace ?? meta.name}/${config.strategy.use}`, pluginName: meta.name };
  };
}

function unknownComponent(kind: 'datasets' | 'strategies', id: string, registry: PluginRegistry, pointer: string): UngreedyError {
  return new UngreedyError(
    'UNG_ERR_UNKNOWN_COMPONENT',
    `${pointer} should name a loaded ${kind.slice(0, -1)}, but got "${id}" (known: ${registry.ids(kind).join(', ') || 'none'}). ` +
      'Add the plugin that provides it to "plugins".',
    { kind, id, pointer },
  );
}
