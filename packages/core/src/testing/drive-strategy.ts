import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardMode } from '../model/fusion-block.js';
import type { ParamGroupId } from '../model/param-group.js';
import type { Rng } from '../rng/rng.js';
import type { BalancingStrategy, LearningSpeed, StepContext, StrategyContext } from '../strategy/balancing-strategy.js';
import type { Logger } from '../log/logger.js';
import type { LossFixture } from './loss-fixture.js';
import { silentLogger } from './silent-logger.js';

/** What a strategy decided at one step. */
export interface StepTrace {
  readonly epoch: number;
  readonly step: number;
  readonly mode: ForwardMode;
  /** The groups `updateMask` returned, sorted, or null for "all". */
  readonly mask: readonly ParamGroupId[] | null;
  /** The (wrapped) loss, when a {@link LossFixture} ran the step. */
  readonly loss: number | null;
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
}

/**
 * Calls a strategy's hooks in the trainer's order (`HOOKS`) over scripted steps, without a model:
 * onEpochBegin (at an epoch's first step) → chooseForwardMode → wrapLoss + backward (with a fixture) →
 * onAfterBackward → updateMask → onEpochEnd (after an epoch's last step). Returns what it decided per step.
 */
export async function driveStrategy(strategy: BalancingStrategy, options: DriveOptions): Promise<StepTrace[]> {
  const trace: StepTrace[] = [];
  const log = options.log ?? silentLogger();
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
    };
    if (stepInEpoch === 0) await strategy.onEpochBegin?.(base);
    const mode = strategy.chooseForwardMode?.(base) ?? { kind: 'regular' };
    const ran = options.fixture?.step(strategy, { ...base, mode });
    try {
      const ctx: StepContext = {
        ...base,
        mode,
        speed: options.speed(mode, step),
        groupNorms: ran?.groupNorms ?? new Map(),
      };
      const grads: ReadonlyMap<ParamGroupId, readonly tf.Tensor[]> = ran?.grads ?? new Map();
      await strategy.onAfterBackward?.(grads, ctx);
      const mask = strategy.updateMask?.(ctx);
      trace.push({ epoch: base.epoch, step, mode, mask: mask ? [...mask].sort() : null, loss: ran?.loss ?? null });
    } finally {
      if (ran) for (const list of ran.grads.values()) for (const g of list) g.dispose();
    }
    if (stepInEpoch === options.stepsPerEpoch - 1) await strategy.onEpochEnd?.(base);
  }
  return trace;
}
