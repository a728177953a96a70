import { parseJsonText } from '../config/parse-data-text.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { Logger } from '../../contract/log/logger.js';
import { buildModel } from '../model/build-model.js';
import type { BuildModelOptions, MultiModalModel } from '../model/multimodal-model.js';
import { measureUtilization, utilizationSettings } from '../eval/utilization.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { RngStreams } from '../../contract/rng/rng.js';
import { FileRunStore } from '../run/file-run-store.js';
import type { UtilizationRecord } from '../run/metric-records.js';
import type { RunStore } from '../run/run-store.js';
import { acquireRunLock } from '../run/run-lock.js';
import { completedEpoch, hasCheckpoint, loadCheckpoint, readCheckpointState } from './checkpoint.js';
import { createDataset, resolveModalities } from './train-experiment.js';

export interface EvaluateRunOptions {
  readonly runDir: string;
  readonly registry: PluginRegistry;
  readonly log: Logger;
  readonly checkpoint: 'best' | 'last';
  /** The run's store; default: the folder opened as a `FileRunStore` (UNG_ERR_RUN_NOT_FOUND if it is not a run). */
  readonly store?: RunStore;
  /** Builds the model; default: core's `buildModel` (must match what trained the run). */
  readonly buildModel?: (options: BuildModelOptions) => MultiModalModel | Promise<MultiModalModel>;
}

/**
 * `ungreedy evaluate <runDir>`: rebuilds the run's model from `config.resolved.json`, loads the checkpoint,
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
  const lock = acquireRunLock(store.dir);
  try {
    return await evaluateLocked(options, store);
  } finally {
    lock.release();
  }
}

async function evaluateLocked(options: EvaluateRunOptions, store: RunStore): Promise<UtilizationRecord> {
  const { registry, log } = options;
  const configPath = join(store.dir, 'config.resolved.json');
  if (!existsSync(configPath)) {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `run folder ${store.dir} should hold config.resolved.json, but it does not. Pass a folder that \`ungreedy run\` created.`,
      { dir: store.dir, missing: ['config.resolved.json'] },
    );
  }
  const config = parseJsonText(readFileSync(configPath, 'utf8'), configPath, { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run file' }) as ExperimentConfig;
  let name: 'best' | 'last' = options.checkpoint;
  if (name === 'best' && !hasCheckpoint(store.checkpointDir('best'))) {
    log.warn({ dir: store.dir }, 'no best checkpoint, evaluating the last one');
    name = 'last';
  }
  const dir = store.checkpointDir(name);
  if (!hasCheckpoint(dir)) {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `run folder ${store.dir} should hold a "${name}" checkpoint, but it has none. Train the run first (\`ungreedy run\`).`,
      { dir: store.dir, checkpoint: name },
    );
  }
  // The dataset and the model are rebuilt exactly as training built them: same seed, same streams, same order.
  const rng = new RngStreams(config.seed);
  const context = readCheckpointState(dir)['context'] as { configDir?: string } | undefined;
  const configDir = context?.configDir ?? store.dir;
  const dataset = await createDataset(config, registry, rng, log, configDir);
  let model: MultiModalModel | null = null;
  try {
    const modalities = resolveModalities(config, dataset);
    model = await (options.buildModel ?? buildModel)({
      model: config.model,
      modalities: modalities.map((m) => dataset.modalities[m]!),
      numClasses: dataset.numClasses,
      registry,
      rng: rng.get('init'),
      log,
      loadPretrained: false,
    });
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
      augmentRng: rng.get('augment'),
      checkpoint: name,
      epoch,
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
    await dataset.dispose?.();
  }
}
