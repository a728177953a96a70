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
