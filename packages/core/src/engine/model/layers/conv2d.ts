import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './param-store.js';
import { outSize, type Padding1D } from './shape.js';

export interface Conv2dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number | readonly [number, number];
  readonly stride?: number | readonly [number, number];
  /** Symmetric count (PyTorch), `'same'` (TensorFlow) or `'valid'`. */
  readonly padding?: Padding1D;
  readonly bias?: boolean;
}

export interface Conv2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  apply(x: tf.Tensor4D): tf.Tensor4D;
  /** Output [H, W] for an input [H, W]. */
  outHW(h: number, w: number): [number, number];
}

export const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

/**
 * A 2-D convolution over NHWC input with a [kh, kw, in, out] filter. Initialised like torchvision's ResNet:
 * kaiming-normal, mode fan_out, relu gain (std = √(2 / (out·kh·kw))); the optional bias is U(±1/√fan_in)
 * like PyTorch's default.
 */
export function createConv2d(store: ParamStore, name: string, o: Conv2dOptions): Conv2d {
  const [kh, kw] = pair(o.kernel);
  const stride = pair(o.stride ?? 1);
  const padding = o.padding ?? 0;
  const s = store.child(name);
  const weight = s.normal('weight', [kh, kw, o.inChannels, o.outChannels], Math.sqrt(2 / (o.outChannels * kh * kw)));
  const bias = o.bias === true ? s.uniform('bias', [o.outChannels], 1 / Math.sqrt(o.inChannels * kh * kw)) : null;
  return {
    weight,
    bias,
    apply(x) {
      const pad = padding === 0 ? 'valid' : padding;
      const y = tf.conv2d(x, weight as tf.Tensor4D, stride, pad);
      return bias === null ? y : tf.add(y, bias);
    },
    outHW: (h, w) => [outSize(h, kh, stride[0], padding), outSize(w, kw, stride[1], padding)],
  };
}
