import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPool3DGradAttrs, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { compositeKernel } from './kernel-ops.js';
import type { KernelOps } from './kernel-ops.js';

/** Window geometry of a max pool over [N, D, H, W, C] (a 2-D pool has D = 1, kernel depth 1). */
export interface PoolGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly kernel: readonly [number, number, number];
  readonly strides: readonly [number, number, number];
  readonly padBefore: readonly [number, number, number];
}

/**
 * Max-pool gradient by argmax: each window's dy goes to the one tap holding the window maximum, found by a
 * JavaScript scan of x in host memory. Ties go to the tap the cpu backend picks (`first` in 2-D pools, `last`
 * in 3-D pools), so the result equals the cpu kernel's exactly; padding never wins; overlapping windows (3×3/2)
 * accumulate. Replaces wasm's MaxPoolGrad, which is wrong for 2×2 windows (about 10% of elements on random
 * data), and MaxPool3DGrad, which like wasm's maxPool3d forward searches from FLT_MIN instead of −∞.
 */
export function maxPoolGradImpl(
  ops: KernelOps,
  dy: TensorInfo,
  x: TensorInfo,
  g: PoolGeometry,
  tie: 'first' | 'last',
  backprop: MaxPoolBackprop = maxPoolBackprop,
): TensorInfo {
  const dx = ops.alloc([...x.shape]);
  backprop(ops.view(dy), ops.view(x), ops.view(dx), g, tie === 'first');
  return dx;
}

/** Writes dx from dy and x by the argmax rule above (the JavaScript loop below, or the native one). */
export type MaxPoolBackprop = (dy: Float32Array, x: Float32Array, dx: Float32Array, g: PoolGeometry, firstWins: boolean) => void;

function maxPoolBackprop(dy: Float32Array, x: Float32Array, dx: Float32Array, g: PoolGeometry, firstWins: boolean): void {
  dx.fill(0);
  const c = g.channels;
  const [D, H, W] = g.inSize;
  const [OD, OH, OW] = g.outSize;
  const [KD, KH, KW] = g.kernel;
  const [SD, SH, SW] = g.strides;
  const [PD, PH, PW] = g.padBefore;
  const best = new Float32Array(c);
  const arg = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let od = 0; od < OD; od++) {
      const z0 = od * SD - PD;
      for (let oh = 0; oh < OH; oh++) {
        const y0 = oh * SH - PH;
        for (let ow = 0; ow < OW; ow++, o += c) {
          const x0 = ow * SW - PW;
          best.fill(Number.NEGATIVE_INFINITY);
          arg.fill(-1);
          for (let z = Math.max(0, z0); z < Math.min(D, z0 + KD); z++) {
            for (let y = Math.max(0, y0); y < Math.min(H, y0 + KH); y++) {
              for (let xx = Math.max(0, x0); xx < Math.min(W, x0 + KW); xx++) {
                const base = (((b * D + z) * H + y) * W + xx) * c;
                if (firstWins) {
                  for (let ch = 0; ch < c; ch++) {
                    const v = x[base + ch]!;
                    if (v > best[ch]!) {
                      best[ch] = v;
                      arg[ch] = base + ch;
                    }
                  }
                } else {
                  for (let ch = 0; ch < c; ch++) {
                    const v = x[base + ch]!;
                    if (v >= best[ch]!) {
                      best[ch] = v;
                      arg[ch] = base + ch;
                    }
                  }
                }
              }
            }
          }
          for (let ch = 0; ch < c; ch++) {
            const a = arg[ch]!;
            if (a >= 0) dx[a] = dx[a]! + dy[o + ch]!;
          }
        }
      }
    }
  }
}

/** The project's MaxPoolGrad for `backendName` (a backend with host memory: wasm, cpu). */
export function maxPoolGradConfig(backendName: string, backprop?: MaxPoolBackprop): KernelConfig {
  return compositeKernel('MaxPoolGrad', backendName, (ops, { dy, input }, attrs) => {
    const a = attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    return maxPoolGradImpl(ops, dy!, input!, {
      batch: info.batchSize,
      channels: info.inChannels,
      inSize: [1, info.inHeight, info.inWidth],
      outSize: [1, info.outHeight, info.outWidth],
      kernel: [1, info.filterHeight, info.filterWidth],
      strides: [1, info.strideHeight, info.strideWidth],
      padBefore: [0, info.padInfo.top, info.padInfo.left],
    }, 'first', backprop);
  });
}

/** The project's MaxPool3DGrad for `backendName` (NDHWC). */
export function maxPool3DGradConfig(backendName: string, backprop?: MaxPoolBackprop): KernelConfig {
  return compositeKernel('MaxPool3DGrad', backendName, (ops, { dy, input }, attrs) => {
    const a = attrs as unknown as MaxPool3DGradAttrs;
    const info = backend_util.computePool3DInfo(
      input!.shape as [number, number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    return maxPoolGradImpl(ops, dy!, input!, {
      batch: info.batchSize,
      channels: info.inChannels,
      inSize: [info.inDepth, info.inHeight, info.inWidth],
      outSize: [info.outDepth, info.outHeight, info.outWidth],
      kernel: [info.filterDepth, info.filterHeight, info.filterWidth],
      strides: [info.strideDepth, info.strideHeight, info.strideWidth],
      padBefore: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
    }, 'last', backprop);
  });
}
