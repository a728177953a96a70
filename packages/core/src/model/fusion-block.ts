import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.js';
import type { ForwardContext, Module } from './module.js';

/**
 * How a forward pass treats the fusion blocks (docs/method.md#utilization, #balancing):
 * - `regular`: every branch gets its live gate;
 * - `rebalance`: branch `modality`'s gate is replaced by the block's running mean (no sample-specific
 *   modulation of that branch), the others stay live;
 * - `ablate-partner`: every branch's gate is computed with the other modalities' squeezes replaced by their
 *   training-set means (`squeezeMeans`), which yields all ablated branches f'_k in one pass.
 */
export type ForwardMode =
  | { readonly kind: 'regular' }
  | { readonly kind: 'rebalance'; readonly modality: number }
  | { readonly kind: 'ablate-partner' };

export const REGULAR: ForwardMode = Object.freeze({ kind: 'regular' });

/** `regular`, `rebalance/<k>`, `ablate-partner`: the key of `EpochRecord.stepsByMode`. */
export function modeKey(mode: ForwardMode): string {
  return mode.kind === 'rebalance' ? `rebalance/${mode.modality}` : mode.kind;
}

export interface FusionForwardContext extends ForwardContext {
  readonly mode: ForwardMode;
  /** For `ablate-partner`: per modality, the mean squeeze [C_k] of this block over the training split. */
  readonly squeezeMeans?: readonly tf.Tensor1D[];
  /** When set, the block hands over its per-modality squeezes [B, C_k] (for recording); it must not dispose them. */
  readonly recordSqueezes?: (squeezes: readonly tf.Tensor2D[]) => void;
}

/**
 * A block that takes the features of all modalities at one depth and returns them rescaled, in order.
 * Its variables carry groups (`fusion/k`, `fusion/shared`), so strategies and probes never match names.
 */
export interface FusionBlock extends Module {
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
