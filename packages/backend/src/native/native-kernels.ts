import type { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../kernels/batch-norm-train.js';
import { compositeKernel, conv2dInfo, multiOutputKernel } from '../kernels/kernel-ops.js';
import { SUM_OF_SQUARES } from '../kernels/sum-of-squares.js';
import type { KernelOps } from '../kernels/kernel-ops.js';
import { maxPool3DGradConfig, maxPoolGradConfig } from '../kernels/max-pool-grad.js';
import type { MaxPoolBackprop } from '../kernels/max-pool-grad.js';
import { fusedOptimizerConfigs } from './fused-optimizer.js';
import type { NativeAddon } from './native-addon.js';

/**
 * The wasm kernels the native addon provides (packages/backend/native/ungreedy-native.cc), all computed in place on the
 * wasm heap: Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN; MaxPoolGrad, MaxPool3DGrad, training
 * batch norm (batch-norm-train.ts) and the probe's sum of squares as C++ loops; the fused optimizer steps
 * (fused-optimizer.ts). Convolutions take NHWC float32; anything else goes to `previous(kernelName)`, the kernel
 * registered before (the project's or the stock one).
 */
export function nativeKernelConfigs(addon: NativeAddon, previous: (kernelName: string) => KernelConfig | undefined): KernelConfig[] {
  const conv = (kernelName: string, body: (ops: KernelOps, inputs: Record<string, TensorInfo>, attrs: Conv2DAttrs) => TensorInfo | undefined): KernelConfig => {
    const fallback = previous(kernelName);
    return compositeKernel(kernelName, 'wasm', (ops, inputs, attrs) => {
      const out = body(ops, inputs, attrs as unknown as Conv2DAttrs);
      if (out !== undefined) return out;
      if (fallback === undefined) throw new Error(`${kernelName} (native kernel) supports NHWC float32 only, and no other kernel is registered.`);
      return fallback.kernelFunc({ inputs, attrs, backend: ops.backend } as Parameters<KernelFunc>[0]) as TensorInfo;
    });
  };
  const run = (ops: KernelOps, op: 0 | 1 | 2, a: TensorInfo, b: TensorInfo, outShape: readonly number[], info: backend_util.Conv2DInfo): TensorInfo => {
    // Allocate before taking views: growing the heap detaches the views taken earlier.
    const out = ops.alloc([...outShape]);
    addon.conv2d(op, ops.view(a), ops.view(b), ops.view(out), convDims(info));
    return out;
  };
  const nativeBackprop: MaxPoolBackprop = (dy, x, dx, g, firstWins) =>
    addon.maxPoolGrad(dy, x, dx, Int32Array.from([g.batch, g.channels, ...g.inSize, ...g.outSize, ...g.kernel, ...g.strides, ...g.padBefore]), firstWins);

  return [
    conv('Conv2D', (ops, { x, filter }, a) => {
      if (a.dataFormat === 'NCHW' || !float32(x!, filter!)) return undefined;
      const info = conv2dInfo(x!.shape, filter!.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode);
      return run(ops, 0, x!, filter!, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], info);
    }),
    conv('Conv2DBackpropInput', (ops, { dy, filter }, attrs) => {
      const a = attrs as unknown as Conv2DBackpropInputAttrs;
      if (a.dataFormat === 'NCHW' || !float32(dy!, filter!)) return undefined;
      return run(ops, 1, dy!, filter!, a.inputShape, conv2dInfo(a.inputShape, filter!.shape, a.strides, 1, a.pad, a.dimRoundingMode));
    }),
    conv('Conv2DBackpropFilter', (ops, { x, dy }, attrs) => {
      const a = attrs as unknown as Conv2DBackpropFilterAttrs;
      if (a.dataFormat === 'NCHW' || !float32(x!, dy!)) return undefined;
      return run(ops, 2, x!, dy!, a.filterShape, conv2dInfo(x!.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode));
    }),
    maxPoolGradConfig('wasm', nativeBackprop),
    maxPool3DGradConfig('wasm', nativeBackprop),
    multiOutputKernel(BATCH_NORM_TRAIN, 'wasm', (ops, { x, gamma, beta }, attrs) => {
      const c = [gamma!.shape[0]!];
      const outs = [ops.alloc([...x!.shape]), ops.alloc(c), ops.alloc(c), ops.alloc(c)];
      const [y, mean, variance, invstd] = outs.map((t) => ops.view(t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
      addon.batchNorm(ops.view(x!), ops.view(gamma!), ops.view(beta!), y, mean, variance, invstd, (attrs as { eps: number }).eps);
      return outs;
    }),
    multiOutputKernel(BATCH_NORM_TRAIN_GRAD, 'wasm', (ops, { dy, x, mean, invstd, gamma }) => {
      const outs = [ops.alloc([...x!.shape]), ops.alloc([...gamma!.shape]), ops.alloc([...gamma!.shape])];
      const [dx, dgamma, dbeta] = outs.map((t) => ops.view(t)) as [Float32Array, Float32Array, Float32Array];
      addon.batchNormGrad(ops.view(dy!), ops.view(x!), ops.view(mean!), ops.view(invstd!), ops.view(gamma!), dx, dgamma, dbeta);
      return outs;
    }),
    compositeKernel(SUM_OF_SQUARES, 'wasm', (ops, { x }) => {
      const out = ops.alloc([]);
      ops.view(out)[0] = addon.sumOfSquares(ops.view(x!));
      return out;
    }),
    ...fusedOptimizerConfigs(addon),
  ];
}

function float32(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32');
}

/** The 17 sizes conv2d takes, in ungreedy-native.cc's order. */
function convDims(info: backend_util.Conv2DInfo): Float64Array {
  const { padInfo: p } = info;
  return Float64Array.from([
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
    p.top,
    p.left,
    p.bottom,
    p.right,
  ]);
}
