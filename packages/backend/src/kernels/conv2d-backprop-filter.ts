import type { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel, conv2dInfo } from './kernel-ops.js';
import type { ExplicitPad, KernelOps } from './kernel-ops.js';

type Pad = 'valid' | 'same' | number | ExplicitPad;

/**
 * dW[i, j, ci, co] = Σ_{n, oh, ow} xpad[n, oh·sh + i, ow·sw + j, ci] · dy[n, oh, ow, co], as one matMul of the
 * transposed im2col matrix [kh·kw·Ci, N·Ho·Wo] (written by a JavaScript loop straight into host memory, padding
 * as zeros) with dy viewed as [N·Ho·Wo, Co]. Stock wasm has no kernel for this at all (it cannot train a conv2d);
 * building the matrix from StridedSlice/Concat/Transpose kernels instead costs ~10x more than the loop.
 * NHWC, dilation 1, any stride and padding.
 */
export function conv2dBackpropFilterImpl(
  ops: KernelOps,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const info = conv2dInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const m = n * ho * wo;
  const cols = ops.alloc([1, kh * kw * ci, m]);
  im2colTransposed(ops.view(x), ops.view(cols), info);
  const dW = ops.matMul(cols, ops.reshape(dy, [1, m, co]));
  return ops.reshape(dW, [kh, kw, ci, co]);
}

/** cols[(i·kw + j)·Ci + c][(b·Ho + oy)·Wo + ox] = x[b, oy·sh + i − top, ox·sw + j − left, c], 0 outside x. */
function im2colTransposed(x: Float32Array, cols: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  let o = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Output columns whose tap j falls inside x: ox in [oxLo, oxHi).
      const oxLo = Math.min(wo, Math.max(0, Math.ceil((left - j) / sw)));
      const oxHi = Math.max(oxLo, Math.min(wo, Math.floor((w - 1 + left - j) / sw) + 1));
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          for (let oy = 0; oy < ho; oy++) {
            const y = oy * sh + i - top;
            if (y < 0 || y >= h) {
              cols.fill(0, o, o + wo);
              o += wo;
              continue;
            }
            const rowBase = (b * h + y) * w * ci + c + (j - left) * ci;
            const step = sw * ci;
            let ox = 0;
            for (; ox < oxLo; ox++) cols[o++] = 0;
            for (let src = rowBase + ox * step; ox < oxHi; ox++, src += step) cols[o++] = x[src]!;
            for (; ox < wo; ox++) cols[o++] = 0;
          }
        }
      }
    }
  }
}

/** The project's Conv2DBackpropFilter for `backendName` (NHWC only). */
export function conv2dBackpropFilterConfig(backendName: string): KernelConfig {
  return compositeKernel('Conv2DBackpropFilter', backendName, (ops, { x, dy }, attrs) => {
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (project kernel) expects NHWC, but got NCHW.');
    return conv2dBackpropFilterImpl(ops, x!, dy!, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  });
}
