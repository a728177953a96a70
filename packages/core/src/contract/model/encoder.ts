import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng/rng.js';
import type { ForwardContext, Module } from './module.js';

/** One stage of an encoder; fusion blocks may sit after any stage. */
export interface EncoderStage {
  readonly name: string;
  /** Per-sample output shape, channels last; the last entry is the channel count a fusion block sees. */
  readonly outShape: readonly number[];
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
}

/**
 * A per-modality feature extractor as an ordered list of stages, then a pooling to a feature vector
 * that the modality's head classifies.
 */
export interface Encoder extends Module {
  readonly stages: readonly EncoderStage[];
  /** Length of the pooled feature vector. */
  readonly featureSize: number;
  /** Pools the last stage's output [B, ...outShape] to [B, featureSize]. */
  pool(x: tf.Tensor): tf.Tensor2D;
}

/** What an encoder's `create` receives besides its options. */
export interface EncoderContext {
  /** Per-sample input shape of the modality this encoder reads, channels last. */
  readonly inputShape: readonly number[];
  /** Index of that modality; names must be unique per modality, so prefix them with `namePrefix`. */
  readonly modality: number;
  readonly namePrefix: string;
  /** The run's `init` stream: every initial weight comes from it. */
  readonly rng: Rng;
}
