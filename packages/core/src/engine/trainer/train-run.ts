import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { Dataset, ModalitySpec } from '../../contract/data/dataset.js';
import { UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';
import { LearningSpeedProbe } from '../eval/learning-speed.js';
import { measureUtilization, utilizationSettings } from '../eval/utilization.js';
import type { RunManifest, RunSummary, SplitMetrics, UtilizationRecord } from '../run/metric-records.js';
import type { RunStore } from '../run/run-store.js';
import type { Clock } from '../util/clock.js';
import type { JsonObject } from '../../contract/util/json.js';
import { configFingerprint } from './config-fingerprint.js';
import { CORE_API_VERSION } from '../../contract/version/version.js';
import { completedEpoch, hasCheckpoint, loadCheckpoint, readCheckpointState } from './checkpoint.js';
import { evaluatePass, type FuseFn } from '../eval/evaluate-pass.js';
import { FitLoop } from './fit-loop.js';
import { ensureGradients } from '@ungreedy/backend';
import { HookRunner, type HookObserver } from './hook-runner.js';
import { createScheduler } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import type { RunParts } from './run-parts.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import { createProgress } from './progress.js';
import { modalityIssues, modalityMismatchError } from '../config/check-against-dataset.js';

/** How a training run goes (what it trains is in its {@link RunParts}). */
export interface TrainRunOptions {
  /** Continue from the run folder's `last` checkpoint. */
  readonly resume: boolean;
  /** Draw progress bars (a terminal) or log plain lines. */
  readonly progress: 'bar' | 'lines' | 'none';
  /** Cancels the run at the next step boundary after writing a checkpoint (SIGINT). */
  readonly signal?: AbortSignal;
  /** Extra observers of the observe hooks (recorders, custom probes); they run before or after the strategy. */
  readonly observers?: readonly HookObserver[];
}

/** The dataset modality indices the model reads; refuses indices the dataset lacks (`UNG_ERR_MODEL_MISMATCH`). */
export function resolveModalities(config: ExperimentConfig, dataset: Dataset): number[] {
  const available = dataset.modalities.length;
  const chosen = config.model.modalities ?? Array.from({ length: available }, (_, i) => i);
  const [issue] = modalityIssues(config.model, dataset.modalities);
  if (issue?.pointer === '/model/modalities') {
    throw modalityMismatchError(issue, { field: '/model/modalities', modalities: [...chosen], available });
  }
  if (issue !== undefined) {
    throw modalityMismatchError(issue, { field: '/model/encoders', expected: chosen.length, actual: config.model.encoders.length });
  }
  return [...chosen];
}

function modalitySignature(specs: readonly ModalitySpec[]): string {
  return JSON.stringify(specs.map((s) => ({ name: s.name, shape: [...s.shape] })));
}

/**
 * Trains the run that `assembleRun` (engine/assembly) put together into `store.dir`, evaluates it (accuracies, conditional utilization) and writes
 * `summary.json`. Resolves with the summary; rejects with an UngreedyError for bad input or divergence, or with
 * the signal's reason when aborted (after writing the `last` checkpoint; the manifest then says `interrupted`).
 *
 * @example
 * const run = assembleRun(scope.container, { configDir });
 * try { (await trainRun(run, { resume: false, progress: 'lines' })).utilization?.dUtil; } finally { run.dispose(); }
 */
export async function trainRun(parts: RunParts, options: TrainRunOptions): Promise<RunSummary> {
  const { config, store, log, clock, rng } = parts;
  await ensureGradients();
  const started = clock.now();
  const lastDir = (): string => store.checkpointDir('last');
  let manifest: RunManifest | null = null;
  try {
    manifest = store.readManifest();
  } catch {
    manifest = null;
  }
  if (options.resume && (manifest === null || !hasCheckpoint(lastDir()))) {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `${store.dir} should be a run folder with a manifest and a "last" checkpoint to resume, but ` +
        `${manifest === null ? 'it has no readable manifest.json' : 'it has no checkpoint'}. Pass the folder of a started run.`,
      { dir: store.dir },
    );
  }

  // Kept in every checkpoint, so `run --resume` can refuse an edited config.resolved.json (refuseChangedConfig).
  const fingerprint = configFingerprint(config);

  const dataset = await parts.dataset();
  let model: MultiModalModel | null = null;
  let fit: FitLoop | null = null;
  let optimizer: Optimizer | null = null;
  const modalityNames: string[] = [];
  const base = {
    name: config.name,
    seed: config.seed,
    strategy: config.strategy.use,
    dataset: config.dataset.use,
  };
  let modalities: number[] = [];
  try {
    // A stop that came while the dataset loaded (a dataset may not watch the signal) ends the run before training.
    options.signal?.throwIfAborted();
    modalities = resolveModalities(config, dataset);
    if (dataset.size('train') === 0) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_TOO_SMALL',
        `the train split of dataset "${config.dataset.use}" should hold samples, but it is empty. Check the dataset options.`,
        { split: 'train', size: 0 },
      );
    }
    const specs = modalities.map((m) => dataset.modalities[m]!);
    modalityNames.push(...specs.map((s) => s.name));

    // A resume overwrites every weight from the run's own checkpoint: the pretrained file is not needed then.
    model = await parts.buildModel(specs, dataset.numClasses, !options.resume);
    const { strategy, key: strategyKey, pluginName } = await parts.strategy(model.numModalities);
    const trainable = model.variables().filter((v) => v.trainable);
    optimizer = parts.optimizer(trainable.map((v) => ({ name: v.name, variable: v.variable })));
    const hooks = new HookRunner(strategy, pluginName, options.observers ?? []);
    fit = new FitLoop({
      config,
      model,
      dataset,
      modalities,
      strategy,
      strategyKey,
      hooks,
      optimizer,
      scheduler: createScheduler(config.train.scheduler, config.train.optimizer.lr),
      probe: new LearningSpeedProbe(model.numModalities, config.metrics.speedLogBase),
      rng,
      store,
      log,
      strategyLog: log.child({ plugin: pluginName }),
      clock,
      progress: createProgress(options.progress, log, clock),
      ...(options.signal ? { signal: options.signal } : {}),
      context: {
        configDir: parts.configDir,
        modalities: JSON.parse(modalitySignature(specs)) as JsonObject[],
        configHash: fingerprint.hash,
        config: fingerprint.canonical,
      },
    });

    if (options.resume) {
      fit.restore(lastDir());
      const saved = loadContext(lastDir());
      if (saved !== modalitySignature(specs)) {
        throw new UngreedyError(
          'UNG_ERR_MODEL_MISMATCH',
          `the dataset's modalities should match those the run was started with (${saved}), but got ` +
            `${modalitySignature(specs)}. Resume with the run's own config and data.`,
          { field: '/dataset', expected: saved, actual: modalitySignature(specs) },
        );
      }
      log.info({ dir: store.dir }, 'resuming run');
    }
    if (!existsSync(join(store.dir, 'config.resolved.json'))) store.writeJson('config.resolved.json', config);
    manifest = writeStatus(store, manifest, config, clock, 'running', dataset);

    const result = await fit.run();

    const bestDir = store.checkpointDir('best');
    const useBest = config.metrics.evaluateCheckpoint === 'best' && hasCheckpoint(bestDir);
    const evalName = useBest ? 'best' : 'last';
    const evalState = loadCheckpoint(useBest ? bestDir : lastDir(), model, null);
    // A strategy that decides the fused prediction (fuseLogits) is evaluated with its state at that checkpoint.
    const fuse: FuseFn | undefined = hooks.has('fuseLogits')
      ? (heads, fctx) => hooks.fuseLogits(heads, fctx, fit!.evaluationContext())
      : undefined;
    const evalStrategyState = ((evalState['strategies'] ?? {}) as JsonObject)[strategyKey];
    if (fuse && evalStrategyState && typeof evalStrategyState === 'object' && !Array.isArray(evalStrategyState)) {
      strategy.loadStateDict?.(evalStrategyState);
    }
    const evalEpoch = useBest ? (result.bestEpoch ?? result.epochs) : completedEpoch(evalState, result.epochs);
    let test: SplitMetrics | null;
    let utilization: UtilizationRecord | null = null;
    const shapes = specs.map((s) => s.shape);
    if (config.metrics.utilization) {
      const measured = await measureUtilization({
        model,
        dataset,
        modalities,
        ...utilizationSettings(config),
        augmentRng: rng.get('augment'),
        ...(fuse ? { fuse } : {}),
        loss: config.train.loss ?? 'heads',
        checkpoint: evalName,
        epoch: evalEpoch,
      });
      test = measured.test;
      utilization = measured.record;
      if (utilization) store.appendMetric(utilization);
    } else {
      test =
        dataset.size('test') === 0
          ? null
          : await evaluatePass({
              model,
              dataset,
              split: 'test',
              modalities,
              shapes,
              batchSize: config.train.evalBatchSize,
              mode: { kind: 'regular' },
              legacyLength2AccuracyQuirk: config.train.legacyLength2AccuracyQuirk,
              loss: config.train.loss ?? 'heads',
              ...(fuse ? { fuse } : {}),
            });
    }
    log.info({ checkpoint: evalName, testAcc: test?.acc ?? null, dUtil: utilization?.dUtil ?? null }, 'run evaluated');
    const summary: RunSummary = {
      status: 'completed',
      ...base,
      modalities,
      modalityNames,
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      stoppedBecause: result.stoppedBecause,
      test: test ? { acc: test.acc, accHeads: test.accHeads } : null,
      utilization,
      error: null,
      seconds: (clock.now() - started) / 1000,
    };
    store.writeSummary(summary);
    writeStatus(store, manifest, config, clock, 'completed', dataset);
    return summary;
  } catch (err) {
    if (options.signal?.aborted && err === options.signal.reason) {
      writeStatus(store, manifest, config, clock, 'interrupted', dataset);
      throw err;
    }
    const diverged = isUngreedyError(err, 'UNG_ERR_RUN_DIVERGED');
    const summary: RunSummary = {
      status: 'failed',
      ...base,
      modalities,
      modalityNames,
      epochs: fit?.epochsDone ?? 0,
      bestEpoch: fit?.bestEpoch ?? null,
      stoppedBecause: diverged ? 'diverged' : 'error',
      test: null,
      utilization: null,
      error: {
        code: isUngreedyError(err) ? err.code : err instanceof Error ? err.name : 'Error',
        message: err instanceof Error ? err.message : String(err),
      },
      seconds: (clock.now() - started) / 1000,
    };
    // Bad input found before training leaves the folder as it was; a failed run records why it failed.
    if (fit !== null) {
      store.writeSummary(summary);
      writeStatus(store, manifest, config, clock, 'failed', dataset, summary.error);
    }
    throw err;
  } finally {
    optimizer?.dispose();
    model?.dispose();
    await dataset.dispose?.();
  }
}

function loadContext(dir: string): string {
  // The modality signature the run started with, from the checkpoint's `context`.
  const context = readCheckpointState(dir)['context'] as { modalities?: unknown } | undefined;
  return JSON.stringify(context?.modalities ?? null);
}

function writeStatus(
  store: RunStore,
  current: RunManifest | null,
  config: ExperimentConfig,
  clock: Clock,
  status: RunManifest['status'],
  dataset: Dataset,
  error: RunSummary['error'] = null,
): RunManifest {
  const now = clock.isoNow();
  const base: RunManifest = current ?? {
    runId: store.dir.split(/[\\/]/).pop() ?? config.name,
    status,
    core: CORE_API_VERSION,
    plugins: [],
    backend: { name: 'unknown', reason: 'manifest written by trainExperiment' },
    node: process.version,
    gitCommit: null,
    seed: config.seed,
    host: hostname(),
    startedAt: now,
    endedAt: null,
    resumedAt: [],
    dataset: dataset.describe?.() ?? {},
  };
  // Resume times are the caller's to record (the CLI appends them to `resumedAt` when it reopens the folder).
  // The dataset's facts (sources, skipped samples) are known only now, whoever created the manifest.
  const next: RunManifest = {
    ...base,
    status,
    endedAt: status === 'running' ? null : now,
    error,
    dataset: { ...base.dataset, ...(dataset.describe?.() ?? {}) },
  };
  store.writeManifest(next);
  return next;
}
