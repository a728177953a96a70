import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

/** A kernel for Σ x² in one pass (a scalar); only the native addon provides it (wasm). */
export const SUM_OF_SQUARES = 'UngreedySumOfSquares';

/**
 * Σ x² already known for a tensor's data, keyed by its data id (tensor data never changes; a variable gets a new
 * data id on every assign). The native optimizer steps record the new parameter's Σ θ² here as they write it, so
 * the learning-speed probe of the next step reads each parameter's norm without another pass over it.
 */
const knownSquaredNorms = new WeakMap<object, number>();

/** Records Σ x² of the data behind `dataId` (see {@link sumOfSquares}). */
export function rememberSquaredNorm(dataId: object, value: number): void {
  knownSquaredNorms.set(dataId, value);
}

/**
 * Σ x² as a scalar tensor: the learning-speed probe's reduction over every gradient and parameter of a step. One
 * native pass where the backend has {@link SUM_OF_SQUARES}, else `tf.sum(tf.square(x))`. Not differentiable.
 */
export function sumOfSquares(x: tf.Tensor): tf.Scalar {
  const known = knownSquaredNorms.get(x.dataId);
  if (known !== undefined) return tf.scalar(known);
  if (getKernel(SUM_OF_SQUARES, tf.getBackend()) === undefined || x.dtype !== 'float32') return tf.sum(tf.square(x));
  return tf.engine().runKernel(SUM_OF_SQUARES, { x }) as tf.Scalar;
}
