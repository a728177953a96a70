import { backend_util } from '@tensorflow/tfjs-core';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { OneDnnAddon } from './onednn.js';

/** The parts of the wasm backend the native kernels use: tensors live in one heap, at an offset each. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

type ConvOp = 0 | 1 | 2;
type KernelArgs = { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap };

/**
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on the wasm backend, computed by oneDNN in place on the
 * wasm heap (packages/core/native/onednn-conv.cc). NHWC float32 only; anything else goes to `fallback`, the
 * kernel registered before (the project's or the stock one).
 */
export function oneDnnConvConfigs(addon: OneDnnAddon, fallback: (kernelName: string) => KernelConfig | undefined): KernelConfig[] {
  const make = (
    kernelName: string,
    body: (args: KernelArgs, run: (op: ConvOp, a: TensorInfo, b: TensorInfo, outShape: number[], info: backend_util.Conv2DInfo) => TensorInfo) => TensorInfo | undefined,
  ): KernelConfig => {
    const previous = fallback(kernelName);
    const kernelFunc = (args: KernelArgs): TensorInfo => {
      const backend = args.backend as unknown as WasmHeapBackend;
      const out = body(args, (op, a, b, outShape, info) => runConv(addon, backend, op, a, b, outShape, info));
      if (out !== undefined) return out;
      if (previous === undefined) throw new Error(`${kernelName} (oneDNN kernel) supports NHWC float32 only, and no other kernel is registered.`);
      return previous.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
    };
    return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
  };

  return [
    make('Conv2D', ({ inputs, attrs }, run) => {
      const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as Conv2DAttrs;
      if (a.dataFormat === 'NCHW' || !float32(x, filter)) return undefined;
      const info = convInfo(x.shape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode);
      return run(0, x, filter, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], info);
    }),
    make('Conv2DBackpropInput', ({ inputs, attrs }, run) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as Conv2DBackpropInputAttrs;
      if (a.dataFormat === 'NCHW' || !float32(dy, filter)) return undefined;
      const info = convInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode);
      return run(1, dy, filter, [...a.inputShape], info);
    }),
    make('Conv2DBackpropFilter', ({ inputs, attrs }, run) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as Conv2DBackpropFilterAttrs;
      if (a.dataFormat === 'NCHW' || !float32(x, dy)) return undefined;
      const info = convInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
      return run(2, x, dy, [...a.filterShape], info);
    }),
  ];
}

function float32(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32');
}

function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number] | number,
  dilations: [number, number] | number,
  pad: Conv2DAttrs['pad'],
  dimRoundingMode: Conv2DAttrs['dimRoundingMode'],
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

const params = new Float64Array(20);

function runConv(addon: OneDnnAddon, backend: WasmHeapBackend, op: ConvOp, a: TensorInfo, b: TensorInfo, outShape: number[], info: backend_util.Conv2DInfo): TensorInfo {
  // Allocate first: growing the heap replaces its ArrayBuffer, so the buffer is read after the last allocation.
  const out = backend.makeOutput(outShape, 'float32');
  const { padInfo: pad } = info;
  params.set([
    backend.getMemoryOffset(a.dataId),
    backend.getMemoryOffset(b.dataId),
    backend.getMemoryOffset(out.dataId),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    pad.top,
    pad.left,
    pad.bottom,
    pad.right,
  ]);
  addon.run(op, backend.wasm.HEAPU8.buffer, params);
  return out;
}
