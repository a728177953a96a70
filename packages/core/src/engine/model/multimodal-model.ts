import type * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { ModalitySpec } from '../../contract/data/dataset.js';
import type { Logger } from '../../contract/log/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { Rng } from '../../contract/rng/rng.js';
import type { JsonObject } from '../../contract/util/json.js';
import type { ForwardMode } from '../../contract/model/fusion-block.js';
import type { Module } from '../../contract/model/module.js';

/** What one forward pass returns: docs/method.md#network (fused = arithmetic mean of the head logits). */
export interface ModelOutput {
  readonly fused: tf.Tensor2D;
  readonly heads: readonly tf.Tensor2D[];
  /** Pooled features of each branch, the heads' inputs. */
  readonly features: readonly tf.Tensor2D[];
}

export interface ModelForwardContext {
  readonly training: boolean;
  readonly mode: ForwardMode;
  /** For `ablate-partner`: [fusion position][modality] mean squeeze over the training split. */
  readonly squeezeMeans?: readonly (readonly tf.Tensor1D[])[];
  /** Receives each fusion block's per-modality squeezes [B, C_k]; must not dispose them. */
  readonly recordSqueezes?: (position: number, squeezes: readonly tf.Tensor2D[]) => void;
}

/**
 * Encoders (one per used modality) with fusion blocks between their stages and a linear head per modality.
 * Every variable it returns carries its parameter group.
 */
export interface MultiModalModel extends Module {
  readonly numModalities: number;
  readonly numClasses: number;
  /** Number of fusion blocks (0 for late fusion or a uni-modal model). */
  readonly fusionPoints: number;
  forward(inputs: readonly tf.Tensor[], ctx: ModelForwardContext): ModelOutput;
  applyHead(k: number, features: tf.Tensor2D): tf.Tensor2D;
  /** Non-variable state (fusion running-mean counters and policies), for checkpoints. */
  stateDict(): JsonObject;
  loadStateDict(state: JsonObject): void;
}

export interface BuildModelOptions {
  readonly model: ExperimentConfig['model'];
  /** The modalities the model reads, in order (already filtered by `model.modalities`). */
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  readonly registry: PluginRegistry;
  /** The run's `init` stream. */
  readonly rng: Rng;
  readonly log: Logger;
  /** Folder that `model.encoders[k].init.from` paths are relative to (the config file's); default `process.cwd()`. */
  readonly configDir?: string;
  /**
   * Whether to read `model.encoders[k].init` weights (default true). Pass false when a checkpoint will overwrite
   * every variable right after (resume, evaluation), so the weights file need not exist any more.
   */
  readonly loadPretrained?: boolean;
}
