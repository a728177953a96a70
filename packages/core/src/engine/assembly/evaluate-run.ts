import { parseJsonText } from '../config/parse-data-text.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { Logger } from '../../contract/log/logger.js';
import type { Dataset } from '../../contract/data/dataset.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import { measureUtilization, utilizationSettings } from '../eval/utilization.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { RngStreams } from '../../contract/rng/rng.js';
import { FileRunStore } from '../run/file-run-store.js';
import type { UtilizationRecord } from '../run/metric-records.js';
import type { RunStore } from '../run/run-store.js';
import { completedEpoch, hasCheckpoint, loadCheckpoint, readCheckpointState } from '../trainer/checkpoint.js';
import { resolveModalities } from '../trainer/train-run.js';
import { assembleRun } from './assemble-run.js';
import { createRootContainer } from './create-root-container.js';
import { registerRunServices } from './create-run-container.js';
import { openRunFolder } from './run-lifecycle.js';
import { MODEL_BUILDER, type ModelBuilder } from './tokens.js';

export interface EvaluateRunOptions {
  readonly runDir: string;
  readonly registry: PluginRegistry;
  readonly log: Logger;
  readonly checkpoint: 'best' | 'last';
  /** The run's store; default: the folder opened as a `FileRunStore` (UNG_ERR_RUN_NOT_FOUND if it is not a run). */
  readonly store?: RunStore;
  /** Builds the model (registered as MODEL_BUILDER); default: core's `buildModel` (must match what trained the run). */
  readonly buildModel?: ModelBuilder;
  /** Stops the measurement within one batch (rejects with the signal's reason, UNG_ERR_RUN_INTERRUPTED); nothing is appended then. */
  readonly signal?: AbortSignal;
}

/**
 * `ungreedy evaluate <runDir>`: opens the run folder as `run --resume` does (its lock, the config-fingerprint check,
 * the temp sweep: run-lifecycle.ts), assembles the run from `config.resolved.json` (`assembleRun`), loads the checkpoint,
 * and measures test accuracies and the conditional utilization rate (docs/method.md#utilization), appending the record to
 * the run's metrics. `best` falls back to `last` when the run kept no best checkpoint (no validation split).
 * A model without fusion blocks (uni-modal, late fusion) has no utilization: UNG_ERR_MODEL_MISMATCH.
 *
 * @example
 * const record = await evaluateRun({ runDir: 'runs/cmnist-seed1', registry, log, checkpoint: 'best' });
 * record.dUtil;
 */
export async function evaluateRun(options: EvaluateRunOptions): Promise<UtilizationRecord> {
  const store = options.store ?? FileRunStore.open(options.runDir);
  // It appends to metrics.jsonl: one writer per run folder (UNG_ERR_RUN_LOCKED while a run or another evaluate holds it).
  const { lock, run } = openRunFolder(store.dir, options.log, () => {
    const config = readRunConfig(store);
    const name = checkpointToEvaluate(store, options.checkpoint, options.log);
    return { config, name, checkpoint: store.checkpointDir(name) };
  });
  try {
    return await evaluateLocked(options, store, run.config, run.name);
  } finally {
    lock.release();
  }
}

function readRunConfig(store: RunStore): ExperimentConfig {
  const configPath = join(store.dir, 'config.resolved.json');
  if (!existsSync(configPath)) {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `run folder ${store.dir} should hold config.resolved.json, but it does not. Pass a folder that \`ungreedy run\` created.`,
      { dir: store.dir, missing: ['config.resolved.json'] },
    );
  }
  return parseJsonText(readFileSync(configPath, 'utf8'), configPath, { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run file' }) as ExperimentConfig;
}

/** `best` falls back to `last` when the run kept no best checkpoint; none at all is UNG_ERR_RUN_NOT_FOUND. */
function checkpointToEvaluate(store: RunStore, wanted: 'best' | 'last', log: Logger): 'best' | 'last' {
  let name = wanted;
  if (name === 'best' && !hasCheckpoint(store.checkpointDir('best'))) {
    log.warn({ dir: store.dir }, 'no best checkpoint, evaluating the last one');
    name = 'last';
  }
  if (!hasCheckpoint(store.checkpointDir(name))) {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `run folder ${store.dir} should hold a "${name}" checkpoint, but it has none. Train the run first (\`ungreedy run\`).`,
      { dir: store.dir, checkpoint: name },
    );
  }
  return name;
}

async function evaluateLocked(options: EvaluateRunOptions, store: RunStore, config: ExperimentConfig, name: 'best' | 'last'): Promise<UtilizationRecord> {
  const { registry, log } = options;
  const dir = store.checkpointDir(name);
  // The dataset and the model are rebuilt exactly as training built them: same seed, same streams, same order.
  const context = readCheckpointState(dir)['context'] as { configDir?: string } | undefined;
  const child = createRootContainer({ log, registry }).createChildContainer();
  registerRunServices(child, { config, rng: new RngStreams(config.seed), store, log });
  if (options.buildModel !== undefined) child.register(MODEL_BUILDER, { useValue: options.buildModel });
  const run = assembleRun(child, { configDir: context?.configDir ?? store.dir, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  let dataset: Dataset | null = null;
  let model: MultiModalModel | null = null;
  try {
    dataset = await run.dataset();
    const modalities = resolveModalities(config, dataset);
    model = await run.buildModel(modalities.map((m) => dataset!.modalities[m]!), dataset.numClasses, false);
    if (model.fusionPoints === 0 || model.numModalities < 2) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `the run's model should have fusion blocks to measure conditional utilization, but it has ${model.fusionPoints} ` +
          `and ${model.numModalities} modalities (uni-modal or late fusion). Evaluate a multi-modal run with intermediate fusion.`,
        { fusionPoints: model.fusionPoints, modalities: model.numModalities },
      );
    }
    const state = loadCheckpoint(dir, model, null);
    const bestEpoch = (state['progress'] as { bestEpoch?: number | null } | undefined)?.bestEpoch;
    const epoch = name === 'best' && typeof bestEpoch === 'number' ? bestEpoch : completedEpoch(state, 0);
    const { record } = await measureUtilization({
      model,
      dataset,
      modalities,
      ...utilizationSettings(config),
      augmentRng: run.rng.get('augment'),
      checkpoint: name,
      epoch,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!record) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_TOO_SMALL',
        `the test split of dataset "${config.dataset.use}" should hold samples to measure utilization, but it is empty.`,
        { split: 'test', size: 0 },
      );
    }
    store.appendMetric(record);
    log.info({ checkpoint: name, epoch, u: record.u, dUtil: record.dUtil }, 'utilization measured');
    return record;
  } finally {
    model?.dispose();
    await dataset?.dispose?.();
    run.dispose();
    await child.dispose();
  }
}
