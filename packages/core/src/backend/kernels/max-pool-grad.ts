import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPool3DGradAttrs, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel } from './kernel-ops.js';
import type { KernelOps } from './kernel-ops.js';

/** Window geometry of a 2-D or 3-D pooling, per spatial axis (axes 1..n of a channels-last tensor). */
export interface PoolGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly padBefore: readonly number[];
  readonly inSize: readonly number[];
  readonly outSize: readonly number[];
}

/**
 * Max-pool gradient by masks: for each window offset o, the taps x[o + s·k] that equal the pooled maximum
 * y[k] receive dy[k]. Ties go to one tap only, in the cpu backend's order (`first` for 2-D pools, `last` for
 * 3-D), so the result equals the cpu kernel's exactly. Correct for overlapping windows (3×3/2) too: each
 * offset's share is scattered back separately and the shares are summed.
 *
 * Replaces wasm's MaxPoolGrad, which is wrong for 2×2 windows (about 10% of elements on random data), and
 * MaxPool3DGrad, which (like wasm's maxPool3d forward) starts its search from FLT_MIN instead of −∞.
 */
export function maxPoolGradImpl(
  ops: KernelOps,
  dy: TensorInfo,
  x: TensorInfo,
  y: TensorInfo,
  g: PoolGeometry,
  tie: 'first' | 'last',
): TensorInfo {
  const nd = g.kernel.length;
  const paddings: [number, number][] = [[0, 0]];
  for (let d = 0; d < nd; d++) {
    const need = (g.outSize[d]! - 1) * g.strides[d]! + g.kernel[d]!;
    paddings.push([g.padBefore[d]!, Math.max(0, need - g.inSize[d]! - g.padBefore[d]!)]);
  }
  paddings.push([0, 0]);
  const xp = ops.pad(x, paddings, Number.NEGATIVE_INFINITY);
  const offsets = cartesian(g.kernel);
  const visit = tie === 'first' ? offsets : [...offsets].reverse();
  const shares = new Map<string, TensorInfo>();
  let taken: TensorInfo | undefined;
  visit.forEach((o, idx) => {
    const taps = stridedTaps(ops, xp, o, g.strides, g.outSize);
    const hit = ops.equalF(taps, y);
    let mine = hit;
    if (taken !== undefined) {
      mine = ops.run('Relu', { x: ops.sub(hit, taken) });
      if (idx < visit.length - 1) taken = ops.maximum(taken, hit);
    } else {
      taken = hit;
    }
    shares.set(o.join(','), ops.mul(mine, dy));
  });
  const ordered = offsets.map((o) => shares.get(o.join(','))!);
  const tiles = g.strides.every((s, d) => s === g.kernel[d]);
  if (nd === 2 && tiles) return scatterTiles(ops, ordered, x.shape, g);
  const parts = offsets.map((o, i) => {
    let t = ordered[i]!;
    for (let d = 0; d < nd; d++) t = ops.dilateAxis(t, d + 1, g.strides[d]!);
    for (let d = 0; d < nd; d++) t = ops.windowAxis(t, d + 1, g.padBefore[d]! - o[d]!, g.inSize[d]!);
    return t;
  });
  return ops.addN(parts);
}

/** Non-overlapping 2-D windows (stride = kernel): interleave the shares with one transpose. */
function scatterTiles(ops: KernelOps, shares: TensorInfo[], xShape: number[], g: PoolGeometry): TensorInfo {
  const [kh, kw] = g.kernel as [number, number];
  const [ho, wo] = g.outSize as [number, number];
  const n = xShape[0]!;
  const c = xShape[3]!;
  const flat = shares.map((s) => ops.reshape(s, [1, n * ho * wo * c]));
  const stacked = ops.reshape(ops.concat(flat, 0), [kh, kw, n * ho, wo, c]);
  const inter = ops.reshape(ops.transpose(stacked, [2, 0, 3, 1, 4]), [n, ho * kh, wo * kw, c]);
  const rows = ops.windowAxis(inter, 1, g.padBefore[0]!, g.inSize[0]!);
  return ops.windowAxis(rows, 2, g.padBefore[1]!, g.inSize[1]!);
}

/** x[:, o + s·k, ..., :] for k over the output grid. */
function stridedTaps(ops: KernelOps, xp: TensorInfo, o: number[], strides: readonly number[], out: readonly number[]): TensorInfo {
  const r = xp.shape.length;
  const begin = [0, ...o, 0];
  const end = [xp.shape[0]!, ...o.map((v, d) => v + (out[d]! - 1) * strides[d]! + 1), xp.shape[r - 1]!];
  const st = [1, ...strides, 1];
  if (st.every((s) => s === 1)) return ops.slice(xp, begin, end.map((e, i) => e - begin[i]!));
  return ops.run(
    'StridedSlice',
    { x: xp },
    { begin, end, strides: st, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
  );
}

function cartesian(sizes: readonly number[]): number[][] {
  let acc: number[][] = [[]];
  for (const s of sizes) {
    const next: number[][] = [];
    for (const prefix of acc) for (let i = 0; i < s; i++) next.push([...prefix, i]);
    acc = next;
  }
  return acc;
}

/** The project's MaxPoolGrad for `backendName`. */
export function maxPoolGradConfig(backendName: string): KernelConfig {
  return compositeKernel('MaxPoolGrad', backendName, (ops, { dy, input, output }, attrs) => {
    const a = attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const g: PoolGeometry = {
      kernel: [info.filterHeight, info.filterWidth],
      strides: [info.strideHeight, info.strideWidth],
      padBefore: [info.padInfo.top, info.padInfo.left],
      inSize: [info.inHeight, info.inWidth],
      outSize: [info.outHeight, info.outWidth],
    };
    return maxPoolGradImpl(ops, dy!, input!, output!, g, 'first');
  });
}

/** The project's MaxPool3DGrad for `backendName` (NDHWC). */
export function maxPool3DGradConfig(backendName: string): KernelConfig {
  return compositeKernel('MaxPool3DGrad', backendName, (ops, { dy, input, output }, attrs) => {
    const a = attrs as unknown as MaxPool3DGradAttrs;
    const info = backend_util.computePool3DInfo(
      input!.shape as [number, number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const g: PoolGeometry = {
      kernel: [info.filterDepth, info.filterHeight, info.filterWidth],
      strides: [info.strideDepth, info.strideHeight, info.strideWidth],
      padBefore: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
      inSize: [info.inDepth, info.inHeight, info.inWidth],
      outSize: [info.outDepth, info.outHeight, info.outWidth],
    };
    return maxPoolGradImpl(ops, dy!, input!, output!, g, 'last');
  });
}
