import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './param-store.js';

export interface Dense {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  apply(x: tf.Tensor): tf.Tensor2D;
}

/**
 * A fully connected layer, x·W + b with W of shape [in, out]. Initialised like PyTorch's `nn.Linear`:
 * kaiming-uniform with a = √5 for W, which is U(±1/√in), and U(±1/√in) for b.
 */
export function createDense(store: ParamStore, name: string, inFeatures: number, outFeatures: number, bias = true): Dense {
  const bound = 1 / Math.sqrt(inFeatures);
  const s = store.child(name);
  const weight = s.uniform('weight', [inFeatures, outFeatures], bound);
  const b = bias ? s.uniform('bias', [outFeatures], bound) : null;
  return {
    inFeatures,
    outFeatures,
    weight,
    bias: b,
    apply(x): tf.Tensor2D {
      const y = tf.matMul<tf.Tensor2D>(x, weight);
      return b === null ? y : (tf.add(y, b) as tf.Tensor2D);
    },
  };
}
