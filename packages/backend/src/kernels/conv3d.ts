import { backend_util } from '@tensorflow/tfjs-core';
import type {
  Conv3DAttrs,
  Conv3DBackpropFilterV2Attrs,
  Conv3DBackpropInputV2Attrs,
  KernelConfig,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { compositeKernel } from './kernel-ops.js';
import type { ExplicitPad, KernelOps } from './kernel-ops.js';

type Shape5 = [number, number, number, number, number];

interface Fold {
  readonly info: backend_util.Conv3DInfo;
  /** The 2-D problem's spatial padding. */
  readonly pad2d: ExplicitPad;
}

function geometry(xShape: Shape5, filterShape: Shape5, strides: Conv3DAttrs['strides'], pad: 'valid' | 'same'): Fold {
  const info = backend_util.computeConv3DInfo(xShape, filterShape, strides, 1, pad);
  const { top, bottom, left, right } = info.padInfo;
  return { info, pad2d: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** x [N, D, H, W, Ci] → [N·Do, H, W, kd·Ci], tap-major channels. */
function foldInput(ops: KernelOps, x: TensorInfo, info: backend_util.Conv3DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outDepth: od, filterDepth: kd, strideDepth: sd } = info;
  const needD = (od - 1) * sd + kd;
  const xp = ops.windowAxis(x, 1, -info.padInfo.front, needD);
  const m = n * od * h * w;
  const taps: TensorInfo[] = [];
  for (let t = 0; t < kd; t++) taps.push(ops.reshape(ops.sliceAxis(xp, 1, t, od, sd), [1, m * ci]));
  const stacked = ops.reshape(ops.concat(taps, 0), [kd, m, ci]);
  const folded = kd === 1 ? stacked : ops.transpose(stacked, [1, 0, 2]);
  return ops.reshape(folded, [n * od, h, w, kd * ci]);
}

/** W [kd, kh, kw, Ci, Co] → [kh, kw, kd·Ci, Co]. */
function foldFilter(ops: KernelOps, filter: TensorInfo): TensorInfo {
  const [kd, kh, kw, ci, co] = filter.shape as Shape5;
  const v = ops.reshape(filter, [kd, kh * kw, ci * co]);
  const t = kd === 1 ? v : ops.transpose(v, [1, 0, 2]);
  return ops.reshape(t, [kh, kw, kd * ci, co]);
}

/**
 * conv3d as one conv2d: the kd temporal taps of every output frame are folded into channels,
 * x → [N·Do, H, W, kd·Ci] and W [kd, kh, kw, Ci, Co] → [kh, kw, kd·Ci, Co]. Forward and both gradients then
 * run on the fast 2-D kernels. wasm's native Conv3D is ~45× slower than the equivalent conv2d, its
 * Conv3DBackpropInputV2 is wrong even at stride 1 and its Conv3DBackpropFilterV2 is wrong at stride > 1.
 */
export function conv3dImpl(ops: KernelOps, x: TensorInfo, filter: TensorInfo, strides: Conv3DAttrs['strides'], pad: 'valid' | 'same'): TensorInfo {
  const { info, pad2d } = geometry(x.shape as Shape5, filter.shape as Shape5, strides, pad);
  const y = ops.conv2d(foldInput(ops, x, info), foldFilter(ops, filter), [info.strideHeight, info.strideWidth], pad2d);
  return ops.reshape(y, info.outShape);
}

export function conv3dBackpropFilterImpl(
  ops: KernelOps,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: Shape5,
  strides: Conv3DAttrs['strides'],
  pad: 'valid' | 'same',
): TensorInfo {
  const { info, pad2d } = geometry(x.shape as Shape5, filterShape, strides, pad);
  const [kd, kh, kw, ci, co] = filterShape;
  const { batchSize: n, outDepth: od, outHeight: oh, outWidth: ow } = info;
  const dy2 = ops.reshape(dy, [n * od, oh, ow, co]);
  const dW2 = ops.conv2dBackpropFilter(foldInput(ops, x, info), dy2, [kh, kw, kd * ci, co], [info.strideHeight, info.strideWidth], pad2d);
  const v = ops.reshape(dW2, [kh * kw, kd, ci * co]);
  const t = kd === 1 ? v : ops.transpose(v, [1, 0, 2]);
  return ops.reshape(t, filterShape);
}

export function conv3dBackpropInputImpl(
  ops: KernelOps,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: Shape5,
  strides: Conv3DAttrs['strides'],
  pad: 'valid' | 'same',
): TensorInfo {
  const { info, pad2d } = geometry(inputShape, filter.shape as Shape5, strides, pad);
  const [kd, , , ci, co] = filter.shape as Shape5;
  const { batchSize: n, inDepth: d, inHeight: h, inWidth: w, outDepth: od, outHeight: oh, outWidth: ow, strideDepth: sd } = info;
  const dy2 = ops.reshape(dy, [n * od, oh, ow, co]);
  const dX2 = ops.conv2dBackpropInput(dy2, foldFilter(ops, filter), [n * od, h, w, kd * ci], [info.strideHeight, info.strideWidth], pad2d);
  const m = n * od * h * w;
  const v = ops.reshape(dX2, [m, kd, ci]);
  const byTap = kd === 1 ? ops.reshape(v, [1, m, ci]) : ops.transpose(v, [1, 0, 2]);
  const parts: TensorInfo[] = [];
  for (let t = 0; t < kd; t++) {
    const share = ops.reshape(ops.sliceAxis(byTap, 0, t, 1), [n, od, h, w, ci]);
    // Output frame k read input frame k·sd + t − front: scatter the share back there.
    const spread = ops.dilateAxis(share, 1, sd);
    parts.push(ops.windowAxis(spread, 1, info.padInfo.front - t, d));
  }
  return ops.addN(parts);
}

export function conv3DConfig(backendName: string): KernelConfig {
  return compositeKernel('Conv3D', backendName, (ops, { x, filter }, attrs) => {
    const a = attrs as unknown as Conv3DAttrs;
    checkAttrs('Conv3D', a.dataFormat, a.dilations);
    return conv3dImpl(ops, x!, filter!, a.strides, a.pad);
  });
}

export function conv3DBackpropFilterV2Config(backendName: string): KernelConfig {
  return compositeKernel('Conv3DBackpropFilterV2', backendName, (ops, { x, dy }, attrs) => {
    const a = attrs as unknown as Conv3DBackpropFilterV2Attrs;
    return conv3dBackpropFilterImpl(ops, x!, dy!, a.filterShape, a.strides, a.pad);
  });
}

export function conv3DBackpropInputV2Config(backendName: string): KernelConfig {
  return compositeKernel('Conv3DBackpropInputV2', backendName, (ops, { dy, filter }, attrs) => {
    const a = attrs as unknown as Conv3DBackpropInputV2Attrs;
    return conv3dBackpropInputImpl(ops, dy!, filter!, a.inputShape, a.strides, a.pad);
  });
}

function checkAttrs(kernel: string, dataFormat: string | undefined, dilations: Conv3DAttrs['dilations'] | undefined): void {
  if (dataFormat === 'NCDHW') throw new Error(`${kernel} (project kernel) expects NDHWC, but got NCDHW.`);
  const dl = dilations === undefined ? [1] : typeof dilations === 'number' ? [dilations] : dilations;
  if (dl.some((v) => v !== 1)) throw new Error(`${kernel} (project kernel) expects dilations 1, but got ${String(dilations)}.`);
}
