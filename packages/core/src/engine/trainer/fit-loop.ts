import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { Dataset } from '../../contract/data/dataset.js';
import type { Logger } from '../../contract/log/logger.js';
import { REGULAR, type ForwardMode } from '../../contract/model/fusion-block.js';
import type { NamedVariable } from '../../contract/model/module.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import { SplitAccumulator } from '../eval/accuracy.js';
import type { LearningSpeedProbe } from '../eval/learning-speed.js';
import { Rng, type RngState, type RngStreams } from '../../contract/rng/rng.js';
import type { EpochRecord, SplitMetrics } from '../run/metric-records.js';
import type { RunStore } from '../run/run-store.js';
import type {
  BalancingStrategy,
  EpochContext,
  SplitSummary,
  StrategyContext,
  StrategyDataAccess,
} from '../../contract/strategy/balancing-strategy.js';
import { StrategyMetricsCollector } from '../strategy/strategy-metrics.js';
import type { Clock } from '../util/clock.js';
import type { JsonObject, JsonValue } from '../../contract/util/json.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { CompletedStopping } from './completed-stopping.js';
import { evaluateSplit, type FuseFn } from '../eval/evaluate-pass.js';
import { strategyDataAccess, trainSplitMeans, trainStep } from './epoch-loop.js';
import { modeKey } from '../../contract/model/fusion-block.js';
import type { HookRunner } from './hook-runner.js';
import type { LrScheduler } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';
import { roundSignificant, roundTo, type ProgressReporter } from './progress.js';

/** Resolves after one macrotask, so pending signal handlers (SIGINT, SIGTERM) run between training steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Everything the fit loop drives; put together by `trainRun` from the run's parts (or by a test). */
export interface FitDeps {
  readonly config: ExperimentConfig;
  readonly model: MultiModalModel;
  readonly dataset: Dataset;
  /** Dataset modality indices the model reads, in order. */
  readonly modalities: readonly number[];
  readonly strategy: BalancingStrategy;
  /** `<namespace>/<id>`: where the strategy's state lives in checkpoints. */
  readonly strategyKey: string;
  readonly hooks: HookRunner;
  readonly optimizer: Optimizer;
  readonly scheduler: LrScheduler;
  readonly probe: LearningSpeedProbe;
  readonly rng: RngStreams;
  readonly store: RunStore;
  readonly log: Logger;
  /** What strategy hooks get as `ctx.log` (the run's logger bound to the strategy's plugin); default `log`. */
  readonly strategyLog?: Logger;
  readonly clock: Clock;
  readonly progress: ProgressReporter;
  readonly signal?: AbortSignal;
  /** Extra JSON kept in every checkpoint (e.g. the config folder, for `evaluateRun`). */
  readonly context?: JsonObject;
}

/** Counters of the fit loop; saved in every checkpoint, so a resume lands on the same batch (STYLE.md H12). */
interface FitProgress {
  /** The epoch in progress, or the next one to start (1-based). */
  epoch: number;
  /** Training steps done so far, over all epochs. */
  step: number;
  /** Steps of `epoch` done; meaningful while `inEpoch`. */
  stepInEpoch: number;
  inEpoch: boolean;
  /** State of the epoch's shuffle stream at epoch start: a mid-epoch resume replays the same order. */
  epochRng: RngState | null;
  /** State of the epoch's augmentation stream at epoch start, for the same reason. */
  epochAugmentRng: RngState | null;
  completedEpochs: number;
  bestValAcc: number | null;
  bestEpoch: number | null;
  lastMode: ForwardMode;
  stepsByMode: Record<string, number>;
  /** Seconds spent in the epoch in progress before the last checkpoint. */
  epochSeconds: number;
  /** Divergence guard: the run's first step loss and the blown-up steps in a row (absent in older checkpoints). */
  divergence?: { startLoss: number; over: number };
  /** Strategy metrics recorded by the epoch's onEpochBegin, for its EpochRecord (absent in older checkpoints). */
  epochStrategy?: Record<string, number>;
}

export interface FitResult {
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly stoppedBecause: 'max-epochs' | 'completed-stopping';
  readonly lastEpoch: EpochRecord | null;
}

/**
 * The epoch loop of a run (Lightning's fit loop): per epoch, onEpochBegin → training steps → onEpochEnd →
 * validation and test in the strategy's evaluation mode → EpochRecord → best checkpoint on strict improvement of
 * the validation fused accuracy → scheduler step → completed-stopping count → `last` checkpoint.
 */
export class FitLoop {
  private progress: FitProgress = {
    epoch: 1,
    step: 0,
    stepInEpoch: 0,
    inEpoch: false,
    epochRng: null,
    epochAugmentRng: null,
    completedEpochs: 0,
    bestValAcc: null,
    bestEpoch: null,
    lastMode: REGULAR,
    stepsByMode: {},
    epochSeconds: 0,
  };
  private readonly trainable: NamedVariable[];
  private readonly shapes: (readonly number[])[];
  private accumulator: SplitAccumulator;
  private lastEpochRecord: EpochRecord | null = null;
  private readonly metrics: StrategyMetricsCollector;
  private readonly data: StrategyDataAccess;
  /** The training split's mean inputs (forwardMasked `train-mean`), computed once when a strategy can use them. */
  private trainMeans: tf.Tensor[] | undefined;

  constructor(private readonly d: FitDeps) {
    this.trainable = d.model.variables().filter((v) => v.trainable);
    this.shapes = d.modalities.map((m) => d.dataset.modalities[m]!.shape);
    this.metrics = new StrategyMetricsCollector(d.strategyKey, d.strategyLog ?? d.log);
    this.data = strategyDataAccess({
      model: d.model,
      dataset: d.dataset,
      modalities: d.modalities,
      shapes: this.shapes,
      batchSize: d.config.train.evalBatchSize,
      ...(d.hooks.has('fuseLogits') ? { fuse: this.fuse } : {}),
    });
    this.accumulator = new SplitAccumulator(d.model.numModalities);
  }

  /** Epochs completed so far (restored ones included). */
  get epochsDone(): number {
    return this.progress.epoch - 1;
  }

  get bestEpoch(): number | null {
    return this.progress.bestEpoch;
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.d.dataset.size('train') / this.d.config.train.batchSize);
  }

  /** Restores everything from a checkpoint folder written by this loop. */
  restore(dir: string): void {
    const state = loadCheckpoint(dir, this.d.model, this.d.optimizer);
    const strategies = (state['strategies'] ?? {}) as JsonObject;
    const saved = Object.keys(strategies);
    if (state['strategyKey'] !== this.d.strategyKey || saved.some((k) => k !== this.d.strategyKey)) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `checkpoint ${dir} should hold state for strategy "${this.d.strategyKey}", but it was written by ` +
          `"${String(state['strategyKey'])}". Resume with the run's own config, or start a new run.`,
        { dir, expected: this.d.strategyKey, actual: state['strategyKey'] ?? null },
      );
    }
    const strategyState = strategies[this.d.strategyKey];
    if (strategyState !== undefined && strategyState !== null) this.d.strategy.loadStateDict?.(strategyState as JsonObject);
    this.d.scheduler.loadStateDict(state['scheduler'] as JsonObject);
    this.d.probe.loadStateDict(state['speed'] as JsonObject);
    this.d.rng.loadStateDict(state['rng'] as JsonObject);
    this.progress = structuredClone(state['progress']) as unknown as FitProgress;
    this.accumulator.loadStateDict(state['accumulator'] as JsonObject);
    this.lastEpochRecord = (state['lastEpochRecord'] ?? null) as EpochRecord | null;
    // A crash after this checkpoint may have appended records the resumed run will write again: drop them,
    // so metrics.jsonl ends up exactly as an uninterrupted run's.
    if (typeof state['metricsLength'] === 'number') this.d.store.truncateMetrics(state['metricsLength']);
  }

  private stateDict(): JsonObject {
    const strategyState = this.d.strategy.stateDict?.();
    return {
      strategyKey: this.d.strategyKey,
      strategies: strategyState ? { [this.d.strategyKey]: strategyState } : {},
      scheduler: this.d.scheduler.stateDict(),
      speed: this.d.probe.stateDict(),
      rng: this.d.rng.stateDict(),
      progress: structuredClone(this.progress) as unknown as JsonObject,
      accumulator: this.accumulator.stateDict(),
      lastEpochRecord: this.lastEpochRecord as unknown as JsonValue,
      context: this.d.context ?? {},
      metricsLength: this.d.store.metricsLength(),
    };
  }

  async save(name: 'last' | 'best'): Promise<void> {
    await saveCheckpoint(this.d.store.checkpointDir(name), this.d.model, this.d.optimizer, this.stateDict());
  }

  private context(): StrategyContext {
    return {
      epoch: this.progress.epoch,
      step: this.progress.step,
      stepInEpoch: this.progress.stepInEpoch,
      stepsPerEpoch: this.stepsPerEpoch,
      numModalities: this.d.model.numModalities,
      rng: this.d.rng.get('strategy'),
      log: this.d.strategyLog ?? this.d.log,
      metrics: this.metrics,
    };
  }

  /**
   * A finite blow-up fails the run like a NaN does (UNG_ERR_RUN_DIVERGED): the step loss above
   * `train.divergence.factor` × the run's first step loss for `patience` steps in a row.
   */
  private guardDivergence(loss: number): void {
    const g = this.d.config.train.divergence;
    const p = this.progress;
    if (g === undefined || !g.enabled) return;
    p.divergence ??= { startLoss: loss, over: 0 };
    p.divergence.over = loss > g.factor * p.divergence.startLoss ? p.divergence.over + 1 : 0;
    if (p.divergence.over < g.patience) return;
    const kept = hasCheckpoint(this.d.store.checkpointDir('last'));
    throw new UngreedyError(
      'UNG_ERR_RUN_DIVERGED',
      `training loss should stay below ${g.factor} × its first value (${p.divergence.startLoss}), but it was above for ` +
        `${p.divergence.over} steps in a row, up to ${loss} at epoch ${p.epoch}, step ${p.step + 1}. Lower the learning rate` +
        `${kept ? '; the last checkpoint before the blow-up is kept' : ''} (train.divergence sets the guard).`,
      { epoch: p.epoch, step: p.step + 1, loss: String(loss), startLoss: p.divergence.startLoss, steps: p.divergence.over },
    );
  }

  /** The context hook errors name after training (final evaluation): the last epoch and step. */
  evaluationContext(): StrategyContext {
    return this.context();
  }

  /** The strategy's fuseLogits for evaluation and data passes (hook errors name the current epoch and step). */
  private readonly fuse: FuseFn = (heads, fctx) => this.d.hooks.fuseLogits(heads, fctx, this.context());

  private epochContext(): EpochContext {
    return { ...this.context(), data: this.data };
  }

  /** Throws the signal's reason after saving `last`, when the run was asked to stop. */
  private async checkAbort(alreadySaved: boolean): Promise<void> {
    const signal = this.d.signal;
    if (!signal?.aborted) return;
    if (!alreadySaved) await this.save('last');
    this.d.log.info({ epoch: this.progress.epoch, step: this.progress.step }, 'run interrupted, checkpoint written');
    signal.throwIfAborted();
  }

  async run(): Promise<FitResult> {
    const { config, log } = this.d;
    const t = config.train;
    const done = (): boolean => new CompletedStopping(t.completedStopping, this.progress.completedEpochs).shouldStop();
    let stoppedBecause: FitResult['stoppedBecause'] = done() ? 'completed-stopping' : 'max-epochs';
    try {
      while (stoppedBecause === 'max-epochs' && this.progress.epoch <= t.epochs) {
        const record = await this.runEpoch();
        this.lastEpochRecord = record;
        if (done()) stoppedBecause = 'completed-stopping';
        await this.save('last');
        await this.checkAbort(true);
      }
    } finally {
      if (this.trainMeans) tf.dispose(this.trainMeans);
      this.trainMeans = undefined;
    }
    log.info({ epochs: this.progress.epoch - 1, stoppedBecause, bestEpoch: this.progress.bestEpoch }, 'training finished');
    return {
      epochs: this.progress.epoch - 1,
      bestEpoch: this.progress.bestEpoch,
      stoppedBecause,
      lastEpoch: this.lastEpochRecord,
    };
  }

  private async runEpoch(): Promise<EpochRecord> {
    const { config, dataset, hooks, log, clock } = this.d;
    const t = config.train;
    const p = this.progress;
    const started = clock.now() - p.epochSeconds * 1000;
    let epochRng: Rng;
    let epochAugmentRng: Rng;
    if (p.inEpoch) {
      epochRng = Rng.fromState(p.epochRng!);
      epochAugmentRng = Rng.fromState(p.epochAugmentRng!);
    } else {
      // Each epoch gets its own forks of the run's `shuffle` and `augment` streams, saved at epoch start, so a
      // mid-epoch resume replays the same order and the same augmentation.
      epochRng = this.d.rng.get('shuffle').fork(`epoch-${p.epoch}`);
      epochAugmentRng = this.d.rng.get('augment').fork(`epoch-${p.epoch}`);
      p.epochRng = epochRng.state();
      p.epochAugmentRng = epochAugmentRng.state();
      p.inEpoch = true;
      p.stepInEpoch = 0;
      p.stepsByMode = {};
      p.epochSeconds = 0;
      this.accumulator = new SplitAccumulator(this.d.model.numModalities);
      this.metrics.take();
      await hooks.onEpochBegin(this.epochContext());
      const begun = this.metrics.take();
      if (begun) p.epochStrategy = begun;
      else delete p.epochStrategy;
    }
    const lrThisEpoch = this.d.optimizer.lr;
    if (!this.trainMeans && (hooks.has('wrapLoss') || hooks.has('lossTerms'))) {
      this.trainMeans = await trainSplitMeans(dataset, this.d.modalities, this.shapes, t.evalBatchSize);
    }
    const means = this.trainMeans;
    const deps = {
      ...(means ? { trainMeans: () => means } : {}),
      model: this.d.model,
      trainable: this.trainable,
      hooks,
      optimizer: this.d.optimizer,
      probe: this.d.probe,
      modalities: this.d.modalities,
      shapes: this.shapes,
      loss: t.loss ?? 'heads',
    };
    for await (const batch of dataset.batches('train', {
      batchSize: t.batchSize,
      shuffle: true,
      augment: true,
      rng: epochRng,
      augmentRng: epochAugmentRng,
      skipBatches: p.stepInEpoch,
    })) {
      const result = await trainStep(deps, batch, this.context());
      this.guardDivergence(result.loss);
      const stepMetrics = this.metrics.take();
      this.d.store.appendMetric(stepMetrics ? { ...result.record, strategy: stepMetrics } : result.record);
      this.accumulator.add(result.loss, result.fused, result.heads, batch.labels, t.legacyLength2AccuracyQuirk, result.losses);
      const key = modeKey(result.mode);
      p.stepsByMode[key] = (p.stepsByMode[key] ?? 0) + 1;
      p.lastMode = result.mode;
      p.step += 1;
      p.stepInEpoch += 1;
      p.epochSeconds = (clock.now() - started) / 1000;
      this.d.progress.step({
        epoch: p.epoch,
        epochs: t.epochs,
        stepInEpoch: p.stepInEpoch - 1,
        stepsPerEpoch: this.stepsPerEpoch,
        loss: result.loss,
      });
      const scheduled = t.checkpointEverySteps > 0 && p.step % t.checkpointEverySteps === 0;
      if (scheduled) await this.save('last');
      // A step's awaits settle as microtasks, so signal handlers would never run: give the event loop one turn.
      await yieldToEventLoop();
      await this.checkAbort(scheduled);
    }
    this.d.progress.epochTrained();
    // The state at this step boundary: an interrupt during the evaluation passes below checkpoints it, so the
    // resume replays onEpochEnd and the evaluations exactly (they change no weights).
    const boundary = this.d.signal ? structuredClone(this.stateDict()) : null;
    await hooks.onEpochEnd(this.epochContext());

    const evalMode = this.d.strategy.evaluationMode === 'as-training' ? p.lastMode : REGULAR;
    const evaluate = async (split: 'val' | 'test'): Promise<{ metrics: SplitMetrics; summary: SplitSummary } | null> =>
      dataset.size(split) === 0
        ? null
        : evaluateSplit({
            model: this.d.model,
            dataset,
            split,
            modalities: this.d.modalities,
            shapes: this.shapes,
            batchSize: t.evalBatchSize,
            mode: evalMode,
            legacyLength2AccuracyQuirk: t.legacyLength2AccuracyQuirk,
            loss: t.loss ?? 'heads',
            ...(this.d.signal ? { signal: this.d.signal } : {}),
            ...(hooks.has('fuseLogits') ? { fuse: this.fuse } : {}),
          });
    const train = this.accumulator.result();
    let valPass: Awaited<ReturnType<typeof evaluate>>;
    let test: SplitMetrics | null;
    try {
      valPass = await evaluate('val');
      test = (await evaluate('test'))?.metrics ?? null;
    } catch (err) {
      if (boundary !== null && this.d.signal?.aborted && err === this.d.signal.reason) {
        await saveCheckpoint(this.d.store.checkpointDir('last'), this.d.model, this.d.optimizer, boundary);
        log.info({ epoch: p.epoch, step: p.step }, 'run interrupted, checkpoint written');
      }
      throw err;
    }
    const val = valPass?.metrics ?? null;
    await hooks.onValidationEnd({ epoch: p.epoch, train: this.accumulator.summary(), val: valPass?.summary ?? null }, this.context());
    let record: EpochRecord = {
      type: 'epoch',
      epoch: p.epoch,
      lr: lrThisEpoch,
      train,
      val,
      test,
      evalMode,
      stepsByMode: { ...p.stepsByMode },
      seconds: (clock.now() - started) / 1000,
    };
    const epochMetrics = { ...p.epochStrategy, ...this.metrics.take() };
    if (Object.keys(epochMetrics).length > 0) record = { ...record, strategy: sortedRecord(epochMetrics) };
    delete p.epochStrategy;
    this.d.store.appendMetric(record);
    log.info(
      // Rounded for reading; metrics.jsonl keeps full precision.
      {
        epoch: p.epoch,
        loss: roundSignificant(train.loss, 4),
        acc: roundTo(train.acc, 4),
        valAcc: val ? roundTo(val.acc, 4) : null,
        testAcc: test ? roundTo(test.acc, 4) : null,
        lr: roundSignificant(lrThisEpoch, 4),
      },
      'epoch end',
    );
    const completed = new CompletedStopping(t.completedStopping, p.completedEpochs);
    completed.update(train.acc);
    p.completedEpochs = completed.count;
    p.inEpoch = false;
    if (val && (p.bestValAcc === null || val.acc > p.bestValAcc)) {
      p.bestValAcc = val.acc;
      p.bestEpoch = p.epoch;
      if (t.keepBest) await this.save('best');
    }
    this.d.optimizer.lr = this.d.scheduler.step(this.d.optimizer.lr, {
      'train/loss': train.loss,
      'val/loss': val?.loss ?? null,
      'val/acc': val?.acc ?? null,
    });
    p.epoch += 1;
    p.stepInEpoch = 0;
    p.epochRng = null;
    p.epochAugmentRng = null;
    p.epochSeconds = 0;
    return record;
  }
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
