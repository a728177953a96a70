import type * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '../log/logger.js';
import type { Rng } from '../rng/rng.js';
import type { ForwardMode } from '../model/fusion-block.js';
import type { ParamGroupId } from '../model/param-group.js';
import type { JsonObject } from '../util/json.js';

/** Sums of squares of one parameter group, before the optimizer step: one reduction per group. */
export interface GroupNorm {
  readonly gradSq: number;
  readonly weightSq: number;
}

/**
 * Conditional learning speed (docs/method.md#learning-speed), maintained by core's probe before any strategy hook sees a step.
 * μ(G) = Σ||g||² / Σ||θ||² over the union of the groups; `main[k]` is θ_k (`branch/k` + `head/k`),
 * `bypass[k]` is θ'_k (`fusion/k` + `fusion/shared`).
 */
export interface LearningSpeed {
  /** μ of this step. */
  readonly step: { readonly main: readonly number[]; readonly bypass: readonly number[] };
  /** Σ μ over every counted step so far (all regular steps; re-balancing steps are not counted), never reset. */
  readonly total: { readonly main: readonly number[]; readonly bypass: readonly number[] };
  /** Whether this step was added to `total`. */
  readonly counted: boolean;
  /** s_k = log_base(total.bypass[k] / total.main[k]) with the probe's base; NaN until both are positive. */
  readonly s: readonly number[];
  /** s_0 − s_1 for two modalities; for N > 2, max(s) − min(s). */
  readonly dSpeed: number;
}

/** What every hook sees. Epochs count from 1; steps count training steps from 0 across epochs. */
export interface StrategyContext {
  readonly epoch: number;
  readonly step: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly numModalities: number;
  /** The run's `strategy` stream: the only randomness a strategy may use. */
  readonly rng: Rng;
  readonly log: Logger;
}

export interface StepContext extends StrategyContext {
  /** The mode this step's forward pass ran in. */
  readonly mode: ForwardMode;
  readonly speed: LearningSpeed;
  readonly groupNorms: ReadonlyMap<ParamGroupId, GroupNorm>;
}

/** What `wrapLoss` may use to build the training loss. All tensors live inside the trainer's gradient scope. */
export interface LossInput {
  /** Mean of the head logits, [B, classes]. */
  readonly fused: tf.Tensor2D;
  /** Logits of each modality's head, [B, classes]. */
  readonly heads: readonly tf.Tensor2D[];
  /** Pooled features of each branch, [B, featureSize_k]. */
  readonly features: readonly tf.Tensor2D[];
  readonly labels: tf.Tensor1D;
  /** One-hot labels, [B, classes], float32. */
  readonly oneHot: tf.Tensor2D;
  /** The default loss: Σ_k CE(heads[k], y), each a batch mean. */
  readonly baseLoss: tf.Scalar;
  /** Applies head k to features, e.g. to features passed through `stopGradient`. */
  applyHead(k: number, features: tf.Tensor2D): tf.Tensor2D;
}

export type GradientsByGroup = ReadonlyMap<ParamGroupId, readonly tf.Tensor[]>;

/**
 * A balancing strategy: every hook optional, each taking one context object (STYLE.md H9).
 * Observers (`on…`) return nothing; deciders return what the trainer uses. Order per step:
 * chooseForwardMode → forward → wrapLoss → backward → probes → onAfterBackward → updateMask → optimizer step.
 * The full table, with kinds, is `HOOKS` in hooks.ts.
 */
export interface BalancingStrategyHooks {
  /** Called at the start of every training epoch, before its first batch. Kind: observe. */
  onEpochBegin?(ctx: StrategyContext): void | Promise<void>;
  /** Called before each training forward pass; returns the mode to run it in. Kind: decide. Default: regular. */
  chooseForwardMode?(ctx: StrategyContext): ForwardMode;
  /** Called inside the gradient scope; returns the loss to differentiate. Kind: reduce. Default: `input.baseLoss`. */
  wrapLoss?(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar;
  /**
   * Called once per batch, after gradients are computed and the learning-speed probe ran, before the optimizer
   * step. Must not dispose or keep the gradients. Kind: observe. Previous: wrapLoss. Next: updateMask.
   */
  onAfterBackward?(grads: GradientsByGroup, ctx: StepContext): void | Promise<void>;
  /** Called right before the optimizer step; returns the groups to update, or undefined for all. Kind: decide. */
  updateMask?(ctx: StepContext): ReadonlySet<ParamGroupId> | undefined;
  /** Called after the last batch of every training epoch, before validation. Kind: observe. */
  onEpochEnd?(ctx: StrategyContext): void | Promise<void>;
}

export interface BalancingStrategy extends BalancingStrategyHooks {
  /**
   * Which mode validation and test passes use: `regular` (sound) or `as-training` (the last training step's mode,
   * the reference code's leak, docs/method.md#guided).
   */
  readonly evaluationMode: 'regular' | 'as-training';
  /** State saved at `checkpoint.strategies[stateKey]` and restored exactly on resume (STYLE.md H12). */
  stateDict?(): JsonObject;
  loadStateDict?(state: JsonObject): void;
}

/** What a strategy's `create` receives besides its options. */
export interface StrategyCreateContext {
  readonly numModalities: number;
  readonly log: Logger;
}
