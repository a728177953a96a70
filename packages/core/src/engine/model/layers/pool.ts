import * as tf from '@tensorflow/tfjs-core';
import { pair } from './conv2d.js';
import type { Padding1D } from './shape.js';

/**
 * 2-D max pooling over NHWC. A numeric padding ignores the padded cells (like PyTorch's -∞ padding);
 * `'same'` is TensorFlow's.
 */
export function maxPool2d(
  x: tf.Tensor4D,
  size: number | readonly [number, number],
  stride: number | readonly [number, number],
  padding: Padding1D = 'valid',
): tf.Tensor4D {
  return tf.maxPool(x, pair(size), pair(stride), padding);
}

/** 2-D average pooling over NHWC (padded cells are not counted). */
export function avgPool2d(
  x: tf.Tensor4D,
  size: number | readonly [number, number],
  stride: number | readonly [number, number],
  padding: Padding1D = 'valid',
): tf.Tensor4D {
  return tf.avgPool(x, pair(size), pair(stride), padding);
}

/** Mean over every axis but the batch (first) and channel (last) ones: [B, ..., C] → [B, C]. */
export function globalAvgPool(x: tf.Tensor): tf.Tensor2D {
  const s = x.shape;
  if (s.length === 2) return x as tf.Tensor2D;
  const b = s[0]!;
  const c = s[s.length - 1]!;
  return tf.mean(tf.reshape(x, [b, -1, c]), 1) as tf.Tensor2D;
}
