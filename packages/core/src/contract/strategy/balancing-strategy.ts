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

/** Where a strategy writes its own metrics (OGM-GE's ρ and k, AGM's scores). */
export interface StrategyMetrics {
  /**
   * Records `value` under `name`. Core namespaces it as `<namespace>/<id>/<name>`; a name recorded during a step
   * lands in that step's `StepRecord.strategy`, during onEpochBegin/onEpochEnd/onValidationEnd in the epoch's
   * `EpochRecord.strategy` (metrics.jsonl), and in TensorBoard and the compare report. A non-finite number
   * (NaN, ±Infinity: a ratio over a zero) is left out of the record, so a strategy need not filter its own; a value
   * that is not a number is `UNG_ERR_HOOK_FAILED`. Recording a name twice in one record keeps the last value.
   */
  record(name: string, value: number): void;
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
  /** Strategy metrics (docs/hooks.md, "Strategy metrics"). */
  readonly metrics: StrategyMetrics;
}

/** One batch of an extra pass through {@link EpochContext.data}; every tensor is freed after `fn` returns. */
export interface DataPassBatch {
  /** Pooled features of each branch, [B, featureSize_k]. */
  readonly features: readonly tf.Tensor2D[];
  /** Logits of each head, [B, classes]. */
  readonly heads: readonly tf.Tensor2D[];
  /** The model's fused logits (the strategy's `fuseLogits` when it has one), [B, classes]. */
  readonly fused: tf.Tensor2D;
  readonly labels: Int32Array;
  /** Sample indices within the split. */
  readonly indices: Int32Array;
}

/** Read-only model and data access for a strategy's extra pass over a split (PMR's class prototypes). */
export interface StrategyDataAccess {
  /**
   * Runs the model in inference mode (`training: false`, no augmentation, no shuffling, dataset order) over
   * `split` and calls `fn` once per batch. Mode defaults to `regular`; batch size to the run's.
   */
  forEachBatch(
    split: 'train' | 'val',
    fn: (out: DataPassBatch) => void | Promise<void>,
    options?: { readonly batchSize?: number; readonly mode?: ForwardMode },
  ): Promise<void>;
  readonly numClasses: number;
  /** Number of samples of a split (0 when the dataset has none). */
  size(split: 'train' | 'val' | 'test'): number;
}

/** What onEpochBegin and onEpochEnd see. */
export interface EpochContext extends StrategyContext {
  readonly data: StrategyDataAccess;
}

/** One parameter's gradient, with what a transform needs to know about it. */
export interface ParamGradient {
  /** The model's parameter name, e.g. `branch0/conv1/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly grad: tf.Tensor;
  /** The parameter's current value (read-only: never assign or dispose it). */
  readonly weight: tf.Tensor;
}

/** Gradients by parameter group, each parameter in the model's order. */
export type GradientsByGroup = ReadonlyMap<ParamGroupId, readonly ParamGradient[]>;

/** The labels and head probabilities of a step's main forward, downloaded with the step's single read. */
export interface StepBatch {
  readonly labels: Int32Array;
  /** Softmax of each head's logits, row-major [B * classes]. */
  readonly headProbs: readonly Float32Array[];
  readonly numClasses: number;
}

export interface StepContext extends StrategyContext {
  /** The mode this step's forward pass ran in. */
  readonly mode: ForwardMode;
  readonly speed: LearningSpeed;
  readonly groupNorms: ReadonlyMap<ParamGroupId, GroupNorm>;
  /**
   * For transformGradients: the gradients of each extra loss that `lossTerms` asked for, by term name (same shape
   * as the main gradients). Empty when the strategy has no `lossTerms`.
   */
  readonly gradientSets: ReadonlyMap<string, GradientsByGroup>;
  readonly batch: StepBatch;
}

/** Which modalities a masked forward pass drops, and what replaces them. */
export interface ModalityMask {
  /** Model modality indices (0 … numModalities − 1) to mask. */
  readonly modalities: readonly number[];
  /**
   * `zeros`: an all-zero input; `train-mean`: the training split's per-element mean input (computed once per run);
   * `permute`: the batch's inputs of that modality in a permutation drawn from `ctx.rng`.
   */
  readonly fill: 'zeros' | 'train-mean' | 'permute';
}

/** What a masked forward pass returns (tensors inside the gradient scope). */
export interface MaskedForward {
  readonly fused: tf.Tensor2D;
  readonly heads: readonly tf.Tensor2D[];
  readonly features: readonly tf.Tensor2D[];
}

/** What `wrapLoss` may use to build the training loss. All tensors live inside the trainer's gradient scope. */
export interface LossInput {
  /** The fused logits, [B, classes]: the strategy's `fuseLogits`, else the model's (`model.fused`, default mean). */
  readonly fused: tf.Tensor2D;
  /** Logits of each modality's head, [B, classes]. */
  readonly heads: readonly tf.Tensor2D[];
  /** Pooled features of each branch, [B, featureSize_k]. */
  readonly features: readonly tf.Tensor2D[];
  readonly labels: tf.Tensor1D;
  /** One-hot labels, [B, classes], float32. */
  readonly oneHot: tf.Tensor2D;
  /** The default loss (`train.loss`): Σ_k CE(heads[k], y) by default, each a batch mean. */
  readonly baseLoss: tf.Scalar;
  /** Applies head k to features, e.g. to features passed through `stopGradient`. */
  applyHead(k: number, features: tf.Tensor2D): tf.Tensor2D;
  /** Cross-entropy of `logits` [B, classes] against this batch's labels, batch mean. */
  crossEntropy(logits: tf.Tensor2D): tf.Scalar;
  /**
   * A second forward pass on this batch with `mask.modalities` masked, in training mode (dropout as usual) but
   * without updating batch-norm running statistics; inside the gradient scope (use `tf.stopGradient` for scores).
   */
  forwardMasked(mask: ModalityMask): MaskedForward;
}

/** Loss and accuracy (percent) of one output over a split. */
export interface LossAccuracy {
  readonly loss: number;
  readonly acc: number;
}

/** The fused output's and every head's loss (CE, batch-size weighted mean) and accuracy over one split. */
export interface SplitSummary {
  readonly fused: LossAccuracy;
  readonly heads: readonly LossAccuracy[];
}

/** What onValidationEnd sees after an epoch's evaluation passes. */
export interface ValidationResult {
  readonly epoch: number;
  /** Accumulated over the epoch's training steps (training mode, the steps' own forward passes). */
  readonly train: SplitSummary;
  /** The validation pass; null when the dataset has no val split. */
  readonly val: SplitSummary | null;
}

/** Where `fuseLogits` is being called. */
export interface FuseContext {
  readonly training: boolean;
  readonly phase: 'train' | 'val' | 'test' | 'other';
  /** Pooled features of each branch, [B, featureSize_k]. */
  readonly features: readonly tf.Tensor2D[];
}

/**
 * A balancing strategy: every hook optional, each taking one context object (STYLE.md H9).
 * Observers (`on…`) return nothing; deciders return what the trainer uses; reducers return a replacement.
 * Order per step: chooseForwardMode → forward → wrapLoss → lossTerms → backward → probe → onAfterBackward →
 * transformGradients → updateMask → optimizer step. The full table, with kinds, is `HOOKS` in hooks.ts and
 * docs/hooks.md.
 */
export interface BalancingStrategyHooks {
  /**
   * Called at the start of every training epoch, before its first batch (not again when a run resumes inside
   * the epoch). Kind: observe. Previous: the previous epoch's onValidationEnd. Next: chooseForwardMode.
   */
  onEpochBegin?(ctx: EpochContext): void | Promise<void>;
  /**
   * Called before each training forward pass; returns the mode to run it in (default `regular`).
   * Kind: decide. Previous: onEpochBegin or the previous step's updateMask. Next: wrapLoss.
   */
  chooseForwardMode?(ctx: StrategyContext): ForwardMode;
  /**
   * Called inside the gradient scope after the training forward pass; returns the loss to differentiate
   * (default `input.baseLoss`). Kind: reduce. Previous: chooseForwardMode. Next: lossTerms.
   */
  wrapLoss?(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar;
  /**
   * Called once per step after wrapLoss; returns extra losses whose gradients core computes separately, each
   * with its own forward pass (no batch-norm statistics update). They arrive as `ctx.gradientSets` in
   * transformGradients; the optimizer uses wrapLoss's gradients unless transformGradients returns others.
   * Kind: decide. Previous: wrapLoss. Next: onAfterBackward.
   */
  lossTerms?(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): Record<string, tf.Scalar>;
  /**
   * Called once per batch, after gradients are computed and the learning-speed probe ran, before the optimizer
   * step. Must not dispose or keep the gradients. Kind: observe. Previous: lossTerms. Next: transformGradients.
   */
  onAfterBackward?(grads: GradientsByGroup, ctx: StepContext): void | Promise<void>;
  /**
   * Called once per batch after onAfterBackward; returns the gradients the optimizer uses. The learning-speed
   * probe has already seen the unmodified gradients. Return the same map, or a new one whose tensors the hook
   * made (core disposes inputs and outputs after the optimizer step; dispose your own intermediates, e.g. with
   * tf.tidy). A group or parameter missing from the result is not updated this step.
   * Kind: reduce. Previous: onAfterBackward. Next: updateMask.
   */
  transformGradients?(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup;
  /**
   * Called right before the optimizer step; returns the groups to update, or undefined for all.
   * Kind: decide. Previous: transformGradients. Next: the optimizer step, then chooseForwardMode or onEpochEnd.
   */
  updateMask?(ctx: StepContext): ReadonlySet<ParamGroupId> | undefined;
  /**
   * Called after the last batch of every training epoch, before validation. Kind: observe.
   * Previous: the last step's updateMask. Next: onValidationEnd.
   */
  onEpochEnd?(ctx: EpochContext): void | Promise<void>;
  /**
   * Called after the epoch's validation and test passes, with every head's and the fused loss and accuracy on
   * train (accumulated over the epoch's steps) and val. Kind: observe. Previous: onEpochEnd. Next: the next
   * epoch's onEpochBegin.
   */
  onValidationEnd?(result: ValidationResult, ctx: StrategyContext): void | Promise<void>;
  /**
   * Called wherever the model's fused output is formed (training forward, validation, test, utilization and
   * extra data passes), inside core's tidy scopes; returns the fused logits [B, classes] (default: the model's
   * `model.fused`, the mean of the head logits). Must be a pure function of its inputs and the strategy's state
   * (restored by loadStateDict), so evaluation after resume is identical. Kind: decide. Previous/Next: none
   * (prediction, not a step position).
   */
  fuseLogits?(heads: readonly tf.Tensor2D[], ctx: FuseContext): tf.Tensor2D;
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
