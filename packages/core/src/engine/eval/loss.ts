import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean softmax cross-entropy of logits [B, C] against one-hot labels [B, C] (PyTorch's `CrossEntropyLoss` with
 * the default mean reduction), computed through a log-softmax so large logits stay finite.
 */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits, 1)), 1))) as tf.Scalar);
}

/** The default training loss (docs/method.md#network, `blend_loss`): Σ_k CE(heads[k], y), each a batch mean, unit weights. */
export function sumOfHeadLosses(heads: readonly tf.Tensor2D[], oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.addN(heads.map((h) => crossEntropy(h, oneHot))) as tf.Scalar);
}

/** The fused prediction (docs/method.md#network): the arithmetic mean of the heads' raw logits (not of their softmaxes). */
export function fuseLogits(heads: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.addN(heads as tf.Tensor2D[]), heads.length) as tf.Tensor2D);
}

/**
 * The base loss chosen by `train.loss` (packages/core/docs/model-options.md): `heads` = Σ_k CE(heads[k], y) (the
 * paper's, exactly {@link sumOfHeadLosses}), `fused` = CE(fused, y), `fused+heads` = CE(fused, y) + Σ_k CE(heads[k], y).
 */
export function baseLossOf(
  kind: 'heads' | 'fused' | 'fused+heads',
  fused: tf.Tensor2D,
  heads: readonly tf.Tensor2D[],
  oneHot: tf.Tensor2D,
): tf.Scalar {
  if (kind === 'heads') return sumOfHeadLosses(heads, oneHot);
  if (kind === 'fused') return crossEntropy(fused, oneHot);
  return tf.tidy(() => tf.addN([crossEntropy(fused, oneHot), ...heads.map((h) => crossEntropy(h, oneHot))]) as tf.Scalar);
}
