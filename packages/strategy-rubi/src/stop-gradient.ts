import { tf } from '@ungreedy/core';

const stop = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * The identity in the forward pass, zero gradient in the backward pass (TensorFlow's `stop_gradient`,
 * PyTorch's `detach`), which TensorFlow.js lacks.
 *
 * @example
 * const head = applyHead(b, stopGradient(features)); // CE(head) trains the head, not the encoder
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
