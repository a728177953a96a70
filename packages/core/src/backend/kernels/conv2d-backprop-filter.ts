import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel } from './kernel-ops.js';
import type { ExplicitPad, KernelOps } from './kernel-ops.js';

type Pad = 'valid' | 'same' | number | ExplicitPad;

/**
 * dW[i, j, ci, co] = Σ_{n, oh, ow} xpad[n, oh·sh + i, ow·sw + j, ci] · dy[n, oh, ow, co], as one matMul:
 * im2col taps stacked on a leading axis [T, M, Ci] (contiguous copies), transposed once to [T·Ci, M] and
 * multiplied by dy viewed as [M, Co]. Stock wasm has no kernel for this at all (it cannot train a conv2d).
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
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const needH = (ho - 1) * sh + kh;
  const needW = (wo - 1) * sw + kw;
  // Padding beyond what the windows read is never sliced, so only pad (never crop) here.
  const xp = ops.pad(x, [
    [0, 0],
    [top, Math.max(0, needH - h - top)],
    [left, Math.max(0, needW - w - left)],
    [0, 0],
  ]);
  const hp = xp.shape[1]!;
  const wp = xp.shape[2]!;
  const m = n * ho * wo;
  const taps: TensorInfo[] = [];
  const flat = sh === 1 && sw === 1 ? ops.reshape(xp, [n, hp, wp * ci]) : xp;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      let tap: TensorInfo;
      if (sh === 1 && sw === 1) {
        // [N, Hp, Wp·Ci] view: each copied run is a whole output row (Wo·Ci floats).
        tap = ops.slice(flat, [0, i, j * ci], [n, ho, wo * ci]);
      } else {
        tap = ops.run(
          'StridedSlice',
          { x: xp },
          {
            begin: [0, i, j, 0],
            end: [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        );
      }
      taps.push(ops.reshape(tap, [1, m * ci]));
    }
  }
  const t = kh * kw;
  const cols = ops.reshape(ops.concat(taps, 0), [t, m, ci]);
  const colsT = ci === 1 ? ops.reshape(cols, [1, t, m]) : ops.reshape(ops.transpose(cols, [0, 2, 1]), [1, t * ci, m]);
  const dW = ops.matMul(colsT, ops.reshape(dy, [1, m, co]));
  return ops.reshape(dW, [kh, kw, ci, co]);
}

/** The project's Conv2DBackpropFilter for `backendName` (NHWC only). */
export function conv2dBackpropFilterConfig(backendName: string): KernelConfig {
  return compositeKernel('Conv2DBackpropFilter', backendName, (ops, { x, dy }, attrs) => {
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (project kernel) expects NHWC, but got NCHW.');
    return conv2dBackpropFilterImpl(ops, x!, dy!, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  });
}
