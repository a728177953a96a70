import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.js';
import type { JsonValue } from '../util/json.js';
import type { ForwardContext, Module } from './module.js';

/**
 * How a forward pass treats the fusion blocks: an open record with a `kind` (docs/fusion.md). Built-in kinds
 * (docs/method.md#utilization, #balancing):
 * - `regular`: every branch gets its live gate (every block supports it);
 * - `rebalance` (+ `modality`): branch `modality`'s gate is replaced by the block's running mean (no
 *   sample-specific modulation of that branch), the others stay live;
 * - `ablate-partner`: every branch's gate is computed with the other modalities' squeezes replaced by their
 *   training-set means (`squeezeMeans`), which yields all ablated branches f'_k in one pass.
 * A fusion block lists the kinds besides `regular` it supports in `FusionBlock.modes`; a forward in a kind that a
 * block does not list is `UNG_ERR_FORWARD_MODE_UNSUPPORTED` naming the block and the mode.
 */
export interface ForwardMode {
  readonly kind: string;
  readonly [field: string]: JsonValue | undefined;
}

/** The built-in `rebalance` mode. */
export interface RebalanceMode extends ForwardMode {
  readonly kind: 'rebalance';
  readonly modality: number;
}

export const REGULAR: ForwardMode = Object.freeze({ kind: 'regular' });

/** A `rebalance` mode for modality k. */
export function rebalanceMode(modality: number): RebalanceMode {
  return { kind: 'rebalance', modality };
}

/** Whether `mode` is a `rebalance` mode with an integer modality. */
export function isRebalance(mode: ForwardMode): mode is RebalanceMode {
  return mode.kind === 'rebalance' && Number.isInteger(mode['modality']);
}

/** `regular`, `rebalance/<k>`, `ablate-partner`, other kinds as they are: the key of `EpochRecord.stepsByMode`. */
export function modeKey(mode: ForwardMode): string {
  return mode.kind === 'rebalance' ? `rebalance/${String(mode['modality'])}` : mode.kind;
}

export interface FusionForwardContext extends ForwardContext {
  readonly mode: ForwardMode;
  /**
   * Partner ablation (only passed to blocks that declare `partnerAblation`): for `ablate-partner`, per modality,
   * the mean statistic [C_k] of this block over the training split.
   */
  readonly squeezeMeans?: readonly tf.Tensor1D[];
  /**
   * Partner ablation (only passed to blocks that declare `partnerAblation`): when set, the block hands over its
   * per-modality statistics [B, C_k] (for recording); it must not dispose them.
   */
  readonly recordSqueezes?: (squeezes: readonly tf.Tensor2D[]) => void;
}

/**
 * A block that takes the features of all modalities at one depth and returns them rescaled, in order.
 * Its variables carry groups (`fusion/k`, `fusion/shared`), so strategies and probes never match names.
 */
export interface FusionBlock extends Module {
  /** Forward-mode kinds the block supports besides `regular` (e.g. `rebalance`, `ablate-partner`). */
  readonly modes?: readonly string[];
  /**
   * Optional capability: the block's gates can be computed with the partner modalities' statistics replaced by
   * training-set means (MMTM's squeezes). Utilization (docs/method.md#utilization) then records the statistics through
   * `ctx.recordSqueezes` over the training split and runs `ablate-partner` with `ctx.squeezeMeans`.
   */
  readonly partnerAblation?: boolean;
  apply(features: readonly tf.Tensor[], ctx: FusionForwardContext): tf.Tensor[];
  /** Running statistics that are not variables (policy counters), for checkpoints. */
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void;
}

/** What a fusion block's `create` receives besides its options. */
export interface FusionContext {
  /** Channel count of each modality's features at this depth. */
  readonly channels: readonly number[];
  /** Per-sample feature shapes at this depth (channels last). */
  readonly shapes: readonly (readonly number[])[];
  /** Position of the block: 0 for the first fusion point. */
  readonly position: number;
  readonly namePrefix: string;
  readonly rng: Rng;
}
