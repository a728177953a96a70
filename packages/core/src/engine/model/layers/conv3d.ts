import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './param-store.js';
import { outSize, padAmounts, type Padding1D } from './shape.js';

export type Triple = readonly [number, number, number];

export const triple = (v: number | Triple): [number, number, number] =>
  typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]];

/**
 * Frames `start, start + stride, …` (`count` of them) of a [N, D, H, W, C] tensor, with slice and reshape
 * only: StridedSlice has no gradient in TensorFlow.js, and gather's gradient is missing on wasm. Works on a
 * rank-3 view [N, D, H·W·C]: wasm slices (and pads, for the gradient) tensors of rank 5 element by element in
 * JavaScript, hundreds of times slower than its rank ≤ 4 kernels.
 */
export function takeFrames(x: tf.Tensor5D, start: number, count: number, stride: number): tf.Tensor5D {
  const [n, d, h, w, c] = x.shape;
  if (start === 0 && count === d && stride === 1) return x;
  const frame = h * w * c;
  const v = tf.reshape(x, [n, d, frame]);
  let y: tf.Tensor;
  if (stride === 1) {
    y = tf.slice(v, [0, start, 0], [n, count, frame]);
  } else {
    const span = (count - 1) * stride + 1;
    y = tf.slice(v, [0, start, 0], [n, span, frame]);
    // Pad to count·stride frames so every kept frame heads a group of `stride`.
    if (span < count * stride) y = tf.pad(y, [[0, 0], [0, count * stride - span], [0, 0]]);
    const grouped = tf.reshape(y, [n, count, stride * frame]);
    y = tf.slice(grouped, [0, 0, 0], [n, count, frame]);
  }
  return tf.reshape(y, [n, count, h, w, c]);
}

/** Pads D, H and W of a [N, D, H, W, C] tensor through the rank-4 view [N, D, H, W·C] (see {@link takeFrames}). */
export function padDHW(x: tf.Tensor5D, pd: readonly [number, number], ph: readonly [number, number], pw: readonly [number, number], value = 0): tf.Tensor5D {
  const [n, d, h, w, c] = x.shape;
  if (pd[0] + pd[1] + ph[0] + ph[1] + pw[0] + pw[1] === 0) return x;
  const v = tf.reshape(x, [n, d, h, w * c]);
  const padded = tf.pad(v, [[0, 0], [pd[0], pd[1]], [ph[0], ph[1]], [pw[0] * c, pw[1] * c]], value);
  return tf.reshape(padded, [n, d + pd[0] + pd[1], h + ph[0] + ph[1], w + pw[0] + pw[1], c]);
}

/**
 * A 3-D convolution, NDHWC input and [kd, kh, kw, C, O] filter, computed with one 2-D convolution: the kd
 * temporal taps are folded into channels (pad along D, slice the frames each tap sees, concat on channels,
 * reshape to [N·D', H, W, kd·C]). It matches `tf.conv3d` in values and gradients, and avoids the wasm
 * backend's slow and wrongly differentiated conv3d kernels (packages/core/docs/backends.md).
 * `'same'` pads TensorFlow style (the odd cell after); numbers pad symmetrically (PyTorch).
 *
 * @example
 * const y = conv3d(x, filter, [1, 2, 2], 'same'); // x [2, 8, 16, 16, 3], filter [3, 3, 3, 3, 8] → [2, 8, 8, 8, 8]
 */
export function conv3d(
  x: tf.Tensor5D,
  filter: tf.Tensor5D,
  strides: number | Triple,
  padding: Padding1D | readonly [Padding1D, Padding1D, Padding1D],
): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, w, c] = x.shape;
    const [kd, kh, kw, fc, o] = filter.shape;
    if (fc !== c) throw new RangeError(`conv3d: filter expects ${fc} input channels, but the input has ${c}.`);
    const [sd, sh, sw] = triple(strides);
    const pads = Array.isArray(padding) ? padding : [padding, padding, padding];
    const pd = padAmounts(d, kd, sd, pads[0] as Padding1D);
    const ph = padAmounts(h, kh, sh, pads[1] as Padding1D);
    const pw = padAmounts(w, kw, sw, pads[2] as Padding1D);
    const padded = padDHW(x, pd, ph, pw);
    const dp = d + pd[0] + pd[1];
    const hp = h + ph[0] + ph[1];
    const wp = w + pw[0] + pw[1];
    const dOut = Math.floor((dp - kd) / sd) + 1;
    if (dOut < 1) throw new RangeError(`conv3d: depth ${d} is too short for a temporal kernel of ${kd}.`);
    // Each tap's frames as [N·D', H', W', C], concatenated on channels (rank 4, see takeFrames).
    const taps: tf.Tensor4D[] = [];
    for (let j = 0; j < kd; j++) taps.push(tf.reshape(takeFrames(padded, j, dOut, sd), [n * dOut, hp, wp, c]));
    const x4 = taps.length === 1 ? taps[0]! : tf.concat(taps, 3);
    const f4 = tf.reshape(tf.transpose(filter, [1, 2, 0, 3, 4]), [kh, kw, kd * c, o]);
    const y = tf.conv2d(x4 as tf.Tensor4D, f4 as tf.Tensor4D, [sh, sw], 'valid');
    return tf.reshape(y, [n, dOut, y.shape[1], y.shape[2], o]);
  });
}

/**
 * 3-D max pooling over NDHWC from a 2-D max pool per frame, then an element-wise maximum over the frames of
 * each temporal window. Padded cells never win (TensorFlow's `'same'`, PyTorch's -∞ padding).
 */
export function maxPool3d(
  x: tf.Tensor5D,
  size: number | Triple,
  strides: number | Triple,
  padding: Padding1D | readonly [Padding1D, Padding1D, Padding1D] = 'valid',
): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, w, c] = x.shape;
    const [kd, kh, kw] = triple(size);
    const [sd, sh, sw] = triple(strides);
    const pads = Array.isArray(padding) ? padding : [padding, padding, padding];
    const spatialPad = pads[1] as Padding1D;
    if (spatialPad !== pads[2]) throw new RangeError('maxPool3d: H and W must use the same padding.');
    let y: tf.Tensor5D = x;
    if (kh !== 1 || kw !== 1 || sh !== 1 || sw !== 1) {
      const p = tf.maxPool(tf.reshape(x, [n * d, h, w, c]) as tf.Tensor4D, [kh, kw], [sh, sw], spatialPad);
      y = tf.reshape(p, [n, d, p.shape[1], p.shape[2], c]);
    }
    if (kd === 1 && sd === 1) return y;
    const pd = padAmounts(d, kd, sd, pads[0] as Padding1D);
    y = padDHW(y, pd, [0, 0], [0, 0], -Infinity);
    const dOut = Math.floor((d + pd[0] + pd[1] - kd) / sd) + 1;
    let m = takeFrames(y, 0, dOut, sd);
    for (let j = 1; j < kd; j++) m = tf.maximum(m, takeFrames(y, j, dOut, sd));
    return m;
  });
}

export interface Conv3dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number | Triple;
  readonly stride?: number | Triple;
  readonly padding?: Padding1D;
  readonly bias?: boolean;
}

export interface Conv3d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  apply(x: tf.Tensor5D): tf.Tensor5D;
  /** Output [D, H, W] for an input [D, H, W]. */
  outDHW(dhw: Triple): [number, number, number];
}

/** A 3-D convolution layer (composed, see {@link conv3d}); kaiming-normal fan_out init, optional bias. */
export function createConv3d(store: ParamStore, name: string, o: Conv3dOptions): Conv3d {
  const k = triple(o.kernel);
  const stride = triple(o.stride ?? 1);
  const padding = o.padding ?? 0;
  const fanOut = o.outChannels * k[0] * k[1] * k[2];
  const s = store.child(name);
  const weight = s.normal('weight', [k[0], k[1], k[2], o.inChannels, o.outChannels], Math.sqrt(2 / fanOut));
  const bias =
    o.bias === true ? s.uniform('bias', [o.outChannels], 1 / Math.sqrt(o.inChannels * k[0] * k[1] * k[2])) : null;
  return {
    weight,
    bias,
    apply(x) {
      const y = conv3d(x, weight as tf.Tensor5D, stride, padding);
      return bias === null ? y : tf.add(y, bias);
    },
    outDHW: (dhw) => [
      outSize(dhw[0], k[0], stride[0], padding),
      outSize(dhw[1], k[1], stride[1], padding),
      outSize(dhw[2], k[2], stride[2], padding),
    ],
  };
}
