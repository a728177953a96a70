import * as tf from '@tensorflow/tfjs-core';
import type { ForwardMode } from '../contract/model/fusion-block.js';
import type { ParamGroupId } from '../contract/model/param-group.js';
import type { Rng } from '../contract/rng/rng.js';
import type {
  BalancingStrategy,
  EpochContext,
  GradientsByGroup,
  LearningSpeed,
  StepContext,
  StrategyContext,
  StrategyMetrics,
} from '../contract/strategy/balancing-strategy.js';
import type { Logger } from '../contract/log/logger.js';
import type { LossFixture } from './loss-fixture.js';
import { silentLogger } from './silent-logger.js';
import { emptyDataAccess, RecordedMetrics } from './strategy-context.js';

/** What a strategy decided at one step. */
export interface StepTrace {
  readonly epoch: number;
  readonly step: number;
  readonly mode: ForwardMode;
  /** The groups `updateMask` returned, sorted, or null for "all". */
  readonly mask: readonly ParamGroupId[] | null;
  /** The (wrapped) loss, when a {@link LossFixture} ran the step. */
  readonly loss: number | null;
  /**
   * Σ of squares of the gradients `transformGradients` returned, per group (sorted by group), when the strategy
   * has that hook and a fixture ran the step; null otherwise.
   */
  readonly transformed: Readonly<Record<string, number>> | null;
}

export interface DriveOptions {
  readonly numModalities: number;
  readonly stepsPerEpoch: number;
  /** First global step (0-based) to run; a value inside an epoch resumes mid-epoch without `onEpochBegin`. */
  readonly fromStep?: number;
  /** Global step to stop before. */
  readonly toStep: number;
  /** The `strategy` stream the hooks see. */
  readonly rng: Rng;
  /** The probe's view after the step ran in `mode`. */
  speed(mode: ForwardMode, step: number): LearningSpeed;
  /** Runs `wrapLoss` and backward on real tensors; without it the hooks get empty gradients. */
  readonly fixture?: LossFixture;
  readonly log?: Logger;
  /** Where `ctx.metrics.record` goes; default a fresh {@link RecordedMetrics}. */
  readonly metrics?: StrategyMetrics;
}

/**
 * Calls a strategy's hooks in the trainer's order (`HOOKS`) over scripted steps, without a model:
 * onEpochBegin (at an epoch's first step) → chooseForwardMode → wrapLoss + backward (with a fixture) →
 * onAfterBackward → transformGradients → updateMask → onEpochEnd (after an epoch's last step). Epoch hooks get an
 * empty data access; `lossTerms` terms are differentiated by the fixture (`FixtureStep.gradientSets`);
 * `onValidationEnd` is not driven (it needs the trainer). Returns what it
 * decided per step.
 */
export async function driveStrategy(strategy: BalancingStrategy, options: DriveOptions): Promise<StepTrace[]> {
  const trace: StepTrace[] = [];
  const log = options.log ?? silentLogger();
  const metrics = options.metrics ?? new RecordedMetrics();
  const data = emptyDataAccess();
  for (let step = options.fromStep ?? 0; step < options.toStep; step++) {
    const stepInEpoch = step % options.stepsPerEpoch;
    const base: StrategyContext = {
      epoch: Math.floor(step / options.stepsPerEpoch) + 1,
      step,
      stepInEpoch,
      stepsPerEpoch: options.stepsPerEpoch,
      numModalities: options.numModalities,
      rng: options.rng,
      log,
      metrics,
    };
    const epochCtx: EpochContext = { ...base, data };
    if (stepInEpoch === 0) await strategy.onEpochBegin?.(epochCtx);
    const mode = strategy.chooseForwardMode?.(base) ?? { kind: 'regular' };
    const ran = options.fixture?.step(strategy, { ...base, mode });
    try {
      const ctx: StepContext = {
        ...base,
        mode,
        speed: options.speed(mode, step),
        groupNorms: ran?.groupNorms ?? new Map(),
        gradientSets: ran?.gradientSets ?? new Map(),
        batch: ran?.batch ?? { labels: new Int32Array(0), headProbs: [], numClasses: 0 },
      };
      const grads: GradientsByGroup = ran?.grads ?? new Map();
      await strategy.onAfterBackward?.(grads, ctx);
      let transformed: Record<string, number> | null = null;
      if (strategy.transformGradients && ran) {
        const out = strategy.transformGradients(grads, ctx);
        transformed = {};
        for (const group of [...out.keys()].sort()) {
          const list = out.get(group)!;
          transformed[group] = list.length === 0 ? 0 : tf.tidy(() => tf.addN(list.map((p) => tf.sum(tf.square(p.grad)))).dataSync()[0]!);
        }
        const own = new Set([...grads.values()].flatMap((l) => l.map((p) => p.grad)));
        for (const list of out.values()) for (const p of list) if (!own.has(p.grad)) p.grad.dispose();
      }
      const mask = strategy.updateMask?.(ctx);
      trace.push({ epoch: base.epoch, step, mode, mask: mask ? [...mask].sort() : null, loss: ran?.loss ?? null, transformed });
    } finally {
      if (ran) for (const set of [ran.grads, ...ran.gradientSets.values()]) for (const list of set.values()) for (const g of list) g.grad.dispose();
    }
    if (stepInEpoch === options.stepsPerEpoch - 1) await strategy.onEpochEnd?.(epochCtx);
  }
  return trace;
}
