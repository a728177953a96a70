import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

/**
 * Kernels that compute the forward pass ([y, mean, variance, invstd] from x, γ, β; attr eps) and the backward pass
 * ([dx, dγ, dβ] from dy, x, mean, invstd, γ) each in one pass; only the native addon provides them (wasm).
 * Without them the formula below runs as TensorFlow.js ops.
 */
export const BATCH_NORM_TRAIN = 'UngreedyBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'UngreedyBatchNormTrainGrad';

/** Batch statistics of one {@link batchNormTrain} call, for running averages (no gradient flows through them). */
export interface BatchStats {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over [N, A, B, C] (per channel C, statistics over N·A·B), `(x − mean)·rsqrt(var + ε)·γ + β`,
 * as one op with its own gradient. Same values and gradients as that formula with `tf.moments`, but the tape keeps
 * only x and the per-channel statistics instead of the formula's five full-size intermediates (the largest part of a
 * conv net's activation memory in TensorFlow.js), and the backward pass is three reductions and two element-wise
 * passes. `onStats` receives the batch mean and (biased) variance, which the caller must dispose.
 *
 * @example
 * const y = batchNormTrain(x4, gamma, beta, 1e-5, ({ mean, variance }) => { updateRunning(mean, variance); });
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  onStats?: (stats: BatchStats) => void,
): tf.Tensor4D {
  const fused = getKernel(BATCH_NORM_TRAIN, tf.getBackend()) !== undefined && getKernel(BATCH_NORM_TRAIN_GRAD, tf.getBackend()) !== undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    let value: tf.Tensor4D;
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    let invstd: tf.Tensor;
    if (fused) {
      [value, mean, variance, invstd] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xs, gamma: g, beta: b }, { eps }) as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor];
    } else {
      ({ mean, variance } = tf.moments(xs, [0, 1, 2]));
      invstd = tf.rsqrt(tf.add(variance, eps));
      value = tf.add(tf.mul(tf.mul(tf.sub(xs, mean), invstd), g), b) as tf.Tensor4D;
    }
    save([xs, mean, invstd, g]);
    if (onStats !== undefined) onStats({ mean: tf.keep(tf.clone(mean)) as tf.Tensor1D, variance: tf.keep(tf.clone(variance)) as tf.Tensor1D });
    return {
      value,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sm, si, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        if (fused) return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x: sx, mean: sm, invstd: si, gamma: sg }) as tf.Tensor[];
        const xhat = tf.mul(tf.sub(sx, sm), si);
        const dxhat = tf.mul(dy, sg);
        const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
        const dbeta = tf.sum(dy, [0, 1, 2]);
        const centred = tf.sub(tf.sub(dxhat, tf.mean(dxhat, [0, 1, 2])), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), [0, 1, 2])));
        return [tf.mul(centred, si), dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta);
}
