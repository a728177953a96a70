import type { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel, conv2dInfo } from './kernel-ops.js';
import type { ExplicitPad, KernelOps } from './kernel-ops.js';

type Pad = 'valid' | 'same' | number | ExplicitPad;

/**
 * dx[h] = Σ_i dyd[h + top − i] · W[i], where dyd is dy with `stride − 1` zeros after each element: a stride-1
 * 'valid' correlation of the (padded) dilated dy with the spatially flipped filter, its in/out channels swapped.
 * It runs on the backend's fast Conv2D (XNNPACK on wasm), ~8× faster than wasm's own kernel. For strides > 1
 * on a backend with host memory, the zeros are skipped: see {@link byPhases}.
 */
export function conv2dBackpropInputImpl(
  ops: KernelOps,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const info = conv2dInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  if ((sh > 1 || sw > 1) && ops.hasHostMemory) return byPhases(ops, dy, filter, info);
  let d = ops.dilateAxis(dy, 1, sh);
  d = ops.dilateAxis(d, 2, sw);
  // The window of dilated dy each output row reads: [top − kh + 1, top + h) (and the same for columns).
  const [dh, padH] = fit(ops, d, 1, top - kh + 1, h + kh - 1);
  const [dhw, padW] = fit(ops, dh, 2, left - kw + 1, w + kw - 1);
  return ops.conv2d(dhw, flipTransposed(ops, filter), [1, 1], [[0, 0], padH, padW, [0, 0]]);
}

/**
 * Sub-pixel form of the input gradient for stride s > 1: the rows h with (h + top) mod s = r only receive taps
 * i = r + s·a, so dx[h = q·s + r − top] = Σ_a dy[q − a] · W[r + s·a], a stride-1 convolution of dy itself with
 * the sub-filter W[r::s] flipped. One small conv2d per phase (r_h, r_w) replaces the conv over zero-dilated dy,
 * which spends (s² − 1)/s² of its multiplications on zeros; the phases are interleaved into dx in JavaScript.
 */
function byPhases(ops: KernelOps, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const phases: { out: TensorInfo; rh: number; rw: number; qh0: number; qw0: number }[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const ah = Math.max(0, Math.ceil((kh - rh) / sh));
    const qh0 = Math.ceil((top - rh) / sh);
    const qh = Math.floor((h - 1 + top - rh) / sh) - qh0 + 1;
    for (let rw = 0; rw < sw; rw++) {
      const aw = Math.max(0, Math.ceil((kw - rw) / sw));
      const qw0 = Math.ceil((left - rw) / sw);
      const qw = Math.floor((w - 1 + left - rw) / sw) - qw0 + 1;
      if (ah === 0 || aw === 0 || qh <= 0 || qw <= 0) continue; // these rows/columns of dx get no tap: zeros
      const [dh, padH] = fit(ops, dy, 1, qh0 - ah + 1, qh + ah - 1);
      const [dhw, padW] = fit(ops, dh, 2, qw0 - aw + 1, qw + aw - 1);
      const sub = subFilterFlipped(ops, filter, rh, rw, sh, sw, ah, aw);
      phases.push({ out: ops.conv2d(dhw, sub, [1, 1], [[0, 0], padH, padW, [0, 0]]), rh, rw, qh0, qw0 });
    }
  }
  const dx = ops.alloc([n, h, w, ci]);
  const d = ops.view(dx);
  d.fill(0);
  for (const p of phases) {
    const [, qh, qw] = p.out.shape as [number, number, number, number];
    const src = ops.view(p.out);
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < qh; y++) {
        const row = ((b * h + (p.qh0 + y) * sh + p.rh - top) * w + p.qw0 * sw + p.rw - left) * ci;
        for (let x = 0; x < qw; x++, o += ci) d.set(src.subarray(o, o + ci), row + x * sw * ci);
      }
    }
  }
  return dx;
}

/** F[b, c, o, i] = W[rh + sh·(ah − 1 − b), rw + sw·(aw − 1 − c), i, o]: the phase's taps, flipped, in/out swapped. */
function subFilterFlipped(ops: KernelOps, filter: TensorInfo, rh: number, rw: number, sh: number, sw: number, ah: number, aw: number): TensorInfo {
  const [, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = ops.alloc([ah, aw, co, ci]);
  const wv = ops.view(filter);
  const f = ops.view(out);
  for (let b = 0; b < ah; b++) {
    for (let c = 0; c < aw; c++) {
      const src = ((rh + sh * (ah - 1 - b)) * kw + rw + sw * (aw - 1 - c)) * ci * co;
      const dst = (b * aw + c) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) f[dst + o * ci + i] = wv[src + i * co + o]!;
    }
  }
  return out;
}

/**
 * W [kh, kw, Ci, Co] → W' [kh, kw, Co, Ci] with W'[i, j, o, c] = W[kh−1−i, kw−1−j, c, o], in one JavaScript pass
 * (wasm's Reverse and Transpose kernels take ~70 ms each on a 3×3×512×512 filter).
 */
function flipTransposed(ops: KernelOps, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  if (!ops.hasHostMemory) return ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const out = ops.alloc([kh, kw, co, ci]);
  const w = ops.view(filter);
  const f = ops.view(out);
  const taps = kh * kw;
  for (let t = 0; t < taps; t++) {
    const src = (taps - 1 - t) * ci * co;
    const dst = t * co * ci;
    for (let c = 0; c < ci; c++) {
      for (let o = 0; o < co; o++) f[dst + o * ci + c] = w[src + c * co + o]!;
    }
  }
  return out;
}

/**
 * Makes `x` cover [start, start + len) of `axis`: crops what lies outside (a slice) and returns the zero
 * padding still needed on each side, to hand to the convolution as explicit padding.
 */
function fit(ops: KernelOps, x: TensorInfo, axis: number, start: number, len: number): [TensorInfo, [number, number]] {
  const L = x.shape[axis]!;
  const from = Math.max(0, start);
  const to = Math.min(L, start + len);
  const cropped = from > 0 || to < L ? ops.sliceAxis(x, axis, from, to - from) : x;
  return [cropped, [from - start, start + len - to]];
}

/** The project's Conv2DBackpropInput for `backendName` (NHWC only). */
export function conv2dBackpropInputConfig(backendName: string): KernelConfig {
  return compositeKernel('Conv2DBackpropInput', backendName, (ops, { dy, filter }, attrs) => {
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (project kernel) expects NHWC, but got NCHW.');
    return conv2dBackpropInputImpl(ops, dy!, filter!, a.inputShape, a.strides, a.pad, a.dimRoundingMode);
  });
}
