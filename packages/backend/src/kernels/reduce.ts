import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel, prod } from './kernel-ops.js';
import type { KernelOps } from './kernel-ops.js';
import { replacedStockKernels } from './stock-kernels.js';

/**
 * Sum and Mean over a contiguous block of axes that are not the innermost ones: batch-norm statistics over
 * [N, H, W] of [N, H, W, C], the gradients of per-channel scale and shift, global average pooling over [H, W].
 * The input is viewed as [P, R, C] and reduced over R by a JavaScript loop with float64 accumulators. wasm's own
 * kernels first transpose the reduced axes innermost, which costs ~10x more than the reduction itself.
 * Other reductions (innermost axes, scattered axes, non-float32) go to the stock kernel.
 */
function reduceImpl(kernelName: 'Sum' | 'Mean') {
  return (ops: KernelOps, x: TensorInfo, attrs: SumAttrs, fallback: () => TensorInfo): TensorInfo => {
    const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
    const last = axes[axes.length - 1] ?? -1;
    if (x.dtype !== 'float32' || axes.length === 0 || !contiguous || last === x.shape.length - 1 || !ops.hasHostMemory) {
      return fallback();
    }
    const p = prod(x.shape.slice(0, axes[0]));
    const r = prod(x.shape.slice(axes[0], last + 1));
    const c = prod(x.shape.slice(last + 1));
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const out = ops.alloc(attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape);
    const xs = ops.view(x);
    const ys = ops.view(out);
    const acc = new Float64Array(c);
    const scale = kernelName === 'Mean' ? 1 / r : 1;
    for (let i = 0; i < p; i++) {
      acc.fill(0);
      let k = i * r * c;
      for (let j = 0; j < r; j++) for (let ch = 0; ch < c; ch++) acc[ch] = acc[ch]! + xs[k++]!;
      for (let ch = 0; ch < c; ch++) ys[i * c + ch] = acc[ch]! * scale;
    }
    return out;
  };
}

function reduceConfig(kernelName: 'Sum' | 'Mean', backendName: string): KernelConfig {
  const impl = reduceImpl(kernelName);
  return compositeKernel(kernelName, backendName, (ops, { x }, attrs) =>
    impl(ops, x!, attrs as unknown as SumAttrs, () => {
      const stock = replacedStockKernels.get(`${backendName}/${kernelName}`);
      if (stock === undefined) throw new Error(`${kernelName} (project kernel) expects a stock kernel to fall back on, but none was registered.`);
      return ops.track(stock.kernelFunc({ inputs: { x: x! }, attrs, backend: ops.backend }) as TensorInfo);
    }),
  );
}

export const sumConfig = (backendName: string): KernelConfig => reduceConfig('Sum', backendName);
export const meanConfig = (backendName: string): KernelConfig => reduceConfig('Mean', backendName);
