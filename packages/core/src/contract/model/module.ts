import type * as tf from '@tensorflow/tfjs-core';
import type { ParamGroupId } from './param-group.js';

/**
 * A variable a module owns. `name` is unique within the model and stable across runs: checkpoints are keyed
 * by it. Buffers (batch-norm running statistics, fusion running means) are variables with `trainable: false`;
 * they are checkpointed but never given to the optimizer.
 */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
  /** Set by the model when it assembles modules; encoders and heads leave it to the model. */
  readonly group?: ParamGroupId;
}

/** Something that owns variables and must free them. */
export interface Module {
  variables(): NamedVariable[];
  dispose(): void;
}

/** What every forward pass knows. */
export interface ForwardContext {
  /** Training mode: batch statistics in batch norm, running statistics updated. */
  readonly training: boolean;
}
