import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

/** A kernel for Σ x² in one pass (a scalar); only the native addon provides it (wasm). */
export const SUM_OF_SQUARES = 'UngreedySumOfSquares';

/**
 * Σ x² as a scalar tensor: the learning-speed probe's reduction over every gradient and parameter of a step. One
 * native pass where the backend has {@link SUM_OF_SQUARES}, else `tf.sum(tf.square(x))`. Not differentiable.
 */
export function sumOfSquares(x: tf.Tensor): tf.Scalar {
  if (getKernel(SUM_OF_SQUARES, tf.getBackend()) === undefined || x.dtype !== 'float32') return tf.sum(tf.square(x));
  return tf.engine().runKernel(SUM_OF_SQUARES, { x }) as tf.Scalar;
}
