import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPool3DAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel } from './kernel-ops.js';
import type { KernelOps } from './kernel-ops.js';

/**
 * maxPool3d as a 2-D maxPool over every frame ([N·D, H, W, C], XNNPACK) followed by a running `maximum` over
 * the temporal taps. Pads with −∞, so a window whose values are all negative returns its maximum; wasm's own
 * MaxPool3D starts from FLT_MIN and returns 1.18e-38 there.
 */
export function maxPool3dImpl(
  ops: KernelOps,
  x: TensorInfo,
  filterSize: MaxPool3DAttrs['filterSize'],
  strides: MaxPool3DAttrs['strides'],
  pad: MaxPool3DAttrs['pad'],
  dimRoundingMode?: MaxPool3DAttrs['dimRoundingMode'],
): TensorInfo {
  const info = backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [n, , , , c] = x.shape as [number, number, number, number, number];
  const { inDepth, inHeight, inWidth, outDepth: od, outHeight: oh, outWidth: ow } = info;
  const { filterDepth: kd, filterHeight: kh, filterWidth: kw, strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const { front, top, left } = info.padInfo;
  const needD = (od - 1) * sd + kd;
  const needH = (oh - 1) * sh + kh;
  const needW = (ow - 1) * sw + kw;
  const xp = ops.pad(
    x,
    [
      [0, 0],
      [front, Math.max(0, needD - inDepth - front)],
      [top, Math.max(0, needH - inHeight - top)],
      [left, Math.max(0, needW - inWidth - left)],
      [0, 0],
    ],
    Number.NEGATIVE_INFINITY,
  );
  const [, dp, hp, wp] = xp.shape as [number, number, number, number, number];
  let frames = ops.maxPool(ops.reshape(xp, [n * dp, hp, wp, c]), [kh, kw], [sh, sw]);
  // Padding only ever extends a window, so the pooled grid can be larger than needed: crop it.
  frames = ops.sliceAxis(frames, 1, 0, oh);
  frames = ops.sliceAxis(frames, 2, 0, ow);
  const byFrame = ops.reshape(frames, [n, dp, oh * ow * c]);
  if (!ops.hasHostMemory) {
    let out = ops.sliceAxis(byFrame, 1, 0, od, sd);
    for (let t = 1; t < kd; t++) out = ops.maximum(out, ops.sliceAxis(byFrame, 1, t, od, sd));
    return ops.reshape(out, [n, od, oh, ow, c]);
  }
  // The running maximum over temporal taps in one pass (wasm's StridedSlice along D is slow).
  const out = ops.alloc([n, od, oh, ow, c]);
  const src = ops.view(byFrame);
  const dst = ops.view(out);
  const plane = oh * ow * c;
  for (let b = 0; b < n; b++) {
    for (let z = 0; z < od; z++) {
      const o = (b * od + z) * plane;
      const first = (b * dp + z * sd) * plane;
      dst.set(src.subarray(first, first + plane), o);
      for (let t = 1; t < kd; t++) {
        const f = first + t * plane;
        for (let i = 0; i < plane; i++) if (src[f + i]! > dst[o + i]!) dst[o + i] = src[f + i]!;
      }
    }
  }
  return out;
}

/** The project's MaxPool3D for `backendName` (NDHWC). */
export function maxPool3DConfig(backendName: string): KernelConfig {
  return compositeKernel('MaxPool3D', backendName, (ops, { x }, attrs) => {
    const a = attrs as unknown as MaxPool3DAttrs;
    if (a.dataFormat === 'NCDHW') throw new Error('MaxPool3D (project kernel) expects NDHWC, but got NCDHW.');
    return maxPool3dImpl(ops, x!, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
  });
}
