import { backend_util, getKernel } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Explicit padding in the NHWC order conv2d takes: [[0,0],[top,bottom],[left,right],[0,0]]. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** The geometry of an NHWC conv2d of x over a [kh, kw, Ci, Co] filter, as TensorFlow.js's kernels compute it. */
export function conv2dInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number] | number,
  dilations: [number, number] | number,
  pad: 'valid' | 'same' | number | ExplicitPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): backend_util.Conv2DInfo {
  type Shape4 = [number, number, number, number];
  return backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
}

/** Time spent in each inner kernel, when UNGREEDY_KERNEL_PROFILE=1 (tools/bench/profile.ts prints it). */
export const PROFILE: Map<string, { ms: number; calls: number }> | undefined =
  process.env.UNGREEDY_KERNEL_PROFILE === '1' ? new Map() : undefined;

/**
 * Runs other kernels of one backend from inside a kernel, and frees every intermediate it made.
 *
 * A project kernel is a composition of the backend's fast kernels (XNNPACK conv2d, matmul, transpose, ...).
 * Calling `tf.*` ops inside a kernel would go through the engine and its tape, so the kernels are called
 * directly, as TensorFlow.js's own composite kernels do. Each output is tracked; `finish(result)` frees all of
 * them but the result with `backend.disposeData` (reshape outputs share a data id and hold a reference each,
 * so one dispose per output is exact).
 */
export class KernelOps {
  private readonly made: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs `kernelName` on this backend and tracks its output. */
  run(kernelName: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, this.backendName);
    if (config === undefined) {
      throw new Error(`project kernels expect kernel "${kernelName}" on backend "${this.backendName}", but it is not registered.`);
    }
    // Concat and AddN take their inputs as an array, as the engine passes them.
    const t0 = PROFILE === undefined ? 0 : performance.now();
    const out = config.kernelFunc({ inputs: inputs as NamedTensorInfoMap, attrs, backend: this.backend });
    if (PROFILE !== undefined) {
      const e = PROFILE.get(kernelName) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls += 1;
      PROFILE.set(kernelName, e);
    }
    if (Array.isArray(out)) throw new Error(`project kernels expect one output from "${kernelName}", but got ${out.length}.`);
    return this.track(out);
  }

  /** Tracks a TensorInfo made elsewhere (by a nested project kernel) so that it is freed with the rest. */
  track(t: TensorInfo): TensorInfo {
    this.made.push(t);
    return t;
  }

  /** Frees every intermediate except `result`, and returns `result`. */
  finish(result: TensorInfo): TensorInfo {
    let kept = false;
    for (const t of this.made) {
      if (t === result && !kept) {
        kept = true;
        continue;
      }
      this.backend.disposeData(t.dataId);
    }
    this.made.length = 0;
    return result;
  }

  /** Frees every intermediate (for an error path). */
  abandon(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }

  /**
   * A new float32 tensor on this backend whose values JavaScript fills through {@link KernelOps.view}.
   * wasm leaves the memory uninitialised. Allocate every output before taking any view: growing the wasm
   * heap detaches earlier views.
   */
  alloc(shape: number[]): TensorInfo {
    const b = this.backend as unknown as HeapBackend;
    // Only wasm has typedArrayFromHeap; cpu has a makeOutput too, with another signature.
    if (typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function') return this.track(b.makeOutput(shape, 'float32'));
    if (typeof b.makeTensorInfo === 'function') return this.track(b.makeTensorInfo(shape, 'float32', new Float32Array(prod(shape))));
    throw new Error(`project kernels expect a wasm or cpu backend with host memory, but got "${this.backendName}".`);
  }

  /** The values of a float32 tensor in host memory (a view into the wasm heap, or cpu's own array). */
  view(x: TensorInfo): Float32Array {
    const b = this.backend as unknown as HeapBackend;
    if (x.dtype !== 'float32') throw new Error(`project kernels expect float32 tensors, but got ${x.dtype}.`);
    if (typeof b.typedArrayFromHeap === 'function') return b.typedArrayFromHeap(x);
    if (b.data !== undefined) return b.data.get(x.dataId)!.values as Float32Array;
    throw new Error(`project kernels expect a wasm or cpu backend with host memory, but got "${this.backendName}".`);
  }

  /** Whether this backend keeps tensors in host memory that {@link KernelOps.view} can reach. */
  get hasHostMemory(): boolean {
    const b = this.backend as unknown as HeapBackend;
    return typeof b.typedArrayFromHeap === 'function' || b.data !== undefined;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  pad(x: TensorInfo, paddings: [number, number][], constantValue = 0): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return this.reshape(x, [...x.shape]);
    return this.run('PadV2', { x }, { paddings, constantValue });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /**
   * `count` elements of `axis` starting at `start` with step `step`. Done on a rank-3 view
   * [before, axis, after], so stride-1 slices copy contiguous runs and strided ones use one C++ call.
   */
  sliceAxis(x: TensorInfo, axis: number, start: number, count: number, step = 1): TensorInfo {
    const shape = x.shape;
    const before = prod(shape.slice(0, axis));
    const len = shape[axis]!;
    const after = prod(shape.slice(axis + 1));
    if (start === 0 && count === len && step === 1) return this.reshape(x, [...shape]);
    const v = this.reshape(x, [before, len, after]);
    let s: TensorInfo;
    if (step === 1) {
      s = this.slice(v, [0, start, 0], [before, count, after]);
    } else {
      s = this.run(
        'StridedSlice',
        { x: v },
        {
          begin: [0, start, 0],
          end: [before, start + (count - 1) * step + 1, after],
          strides: [1, step, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
    }
    const outShape = [...shape];
    outShape[axis] = count;
    return this.reshape(s, outShape);
  }

  /**
   * The window [start, start + len) of `axis`, zero-filled where it runs outside the tensor
   * (a slice where `start` >= 0 and the window fits, padding where it does not).
   */
  windowAxis(x: TensorInfo, axis: number, start: number, len: number): TensorInfo {
    const L = x.shape[axis]!;
    const from = Math.max(0, start);
    const to = Math.min(L, start + len);
    if (to <= from) return this.zeros(withAxis(x.shape, axis, len));
    const inner = this.sliceAxis(x, axis, from, to - from);
    const pre = from - start;
    const post = start + len - to;
    if (pre === 0 && post === 0) return inner;
    const v = this.view3(inner, axis);
    const p = this.pad(v, [[0, 0], [pre, post], [0, 0]]);
    return this.reshape(p, withAxis(x.shape, axis, len));
  }

  /**
   * Inserts `step - 1` zeros after every element of `axis` (length L becomes L * step, the last
   * `step - 1` entries zero): the scatter of a strided grid, done as reshape + pad on a rank-4 view.
   */
  dilateAxis(x: TensorInfo, axis: number, step: number): TensorInfo {
    if (step === 1) return this.reshape(x, [...x.shape]);
    const shape = x.shape;
    const before = prod(shape.slice(0, axis));
    const len = shape[axis]!;
    const after = prod(shape.slice(axis + 1));
    const v = this.reshape(x, [before, len, 1, after]);
    const p = this.pad(v, [[0, 0], [0, 0], [0, step - 1], [0, 0]]);
    return this.reshape(p, withAxis(shape, axis, len * step));
  }

  concat(xs: TensorInfo[], axis: number): TensorInfo {
    if (xs.length === 1) return this.reshape(xs[0]!, [...xs[0]!.shape]);
    return this.run('Concat', xs, { axis });
  }

  addN(xs: TensorInfo[]): TensorInfo {
    if (xs.length === 1) return this.reshape(xs[0]!, [...xs[0]!.shape]);
    return this.run('AddN', xs);
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  matMul(a: TensorInfo, b: TensorInfo, transposeA = false, transposeB = false): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }

  conv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], pad: 'valid' | 'same' | ExplicitPad): TensorInfo {
    return this.run(
      'Conv2D',
      { x, filter },
      { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined as unknown as string },
    );
  }

  /** The filter gradient of a conv2d, through whichever kernel is registered (the project's, or the native one). */
  conv2dBackpropFilter(x: TensorInfo, dy: TensorInfo, filterShape: [number, number, number, number], strides: [number, number], pad: 'valid' | 'same' | ExplicitPad): TensorInfo {
    return this.run('Conv2DBackpropFilter', { x, dy }, { strides, pad, filterShape, dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string });
  }

  /** The input gradient of a conv2d, through whichever kernel is registered. */
  conv2dBackpropInput(dy: TensorInfo, filter: TensorInfo, inputShape: [number, number, number, number], strides: [number, number], pad: 'valid' | 'same' | ExplicitPad): TensorInfo {
    return this.run('Conv2DBackpropInput', { dy, filter }, { strides, pad, inputShape, dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }




  maximum(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Maximum', { a, b });
  }



  zeros(shape: number[]): TensorInfo {
    return this.run('Fill', {}, { shape, value: 0, dtype: 'float32' });
  }

  maxPool(x: TensorInfo, filterSize: [number, number], strides: [number, number]): TensorInfo {
    return this.run('MaxPool', { x }, { filterSize, strides, pad: 'valid', dimRoundingMode: undefined as unknown as string });
  }

  private view3(x: TensorInfo, axis: number): TensorInfo {
    const shape = x.shape;
    return this.reshape(x, [prod(shape.slice(0, axis)), shape[axis]!, prod(shape.slice(axis + 1))]);
  }

}

/** What the wasm and cpu backends expose beyond `KernelBackend` (host-memory access). */
interface HeapBackend {
  makeOutput?(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap?(x: TensorInfo): Float32Array;
  makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  data?: { get(dataId: object): { values?: unknown } | undefined };
}

export function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

export function withAxis(shape: readonly number[], axis: number, len: number): number[] {
  const s = [...shape];
  s[axis] = len;
  return s;
}

/**
 * A kernel config whose function is a composition over `KernelOps`: intermediates are freed on success and on
 * error, so the engine's tensor count stays flat.
 */
export function compositeKernel(
  kernelName: string,
  backendName: string,
  body: (ops: KernelOps, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo,
): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) => {
    const ops = new KernelOps(backend, backendName);
    try {
      return ops.finish(body(ops, inputs as Record<string, TensorInfo>, attrs ?? {}));
    } catch (err) {
      ops.abandon();
      throw err;
    }
  };
  return { kernelName, backendName, kernelFunc: kernelFunc as KernelFunc };
}

/** A kernel with several outputs (all made by `ops.alloc`), built like {@link compositeKernel}. */
export function multiOutputKernel(
  kernelName: string,
  backendName: string,
  body: (ops: KernelOps, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo[],
): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) => {
    const ops = new KernelOps(backend, backendName);
    try {
      return body(ops, inputs as Record<string, TensorInfo>, attrs ?? {});
    } catch (err) {
      ops.abandon();
      throw err;
    }
  };
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
