import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The native addon built from `packages/backend/native/ungreedy-native.cc` (see that file for the argument
 * layouts). Every array is a view of tensor memory (the wasm heap); the addon checks their lengths.
 */
export interface NativeAddon {
  /** op 0 forward, 1 backward data, 2 backward weights (oneDNN); `dims` as in ungreedy-native.cc. */
  conv2d(op: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, dims: Float64Array): void;
  /** The max-pool gradient by argmax, `geometry` as in ungreedy-native.cc. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array, firstWins: boolean): void;
  /** One Adam step: scalars [wd, β1, 1−β1, β2, 1−β2, √(1−β2^t), ε, lr/(1−β1^t)] (float32); returns Σ θ'². */
  adamStep(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, outTheta: Float32Array, outM: Float32Array, outV: Float32Array, scalars: Float32Array): number;
  /** One SGD step: scalars [wd, momentum, lr, nesterov 0|1]; `buf` and `outBuf` empty without momentum; returns Σ θ'². */
  sgdStep(theta: Float32Array, grad: Float32Array, buf: Float32Array, outTheta: Float32Array, outBuf: Float32Array, scalars: Float32Array): number;
  /** Training-mode batch norm over x as [M, C]: writes y (M·C) and the per-channel mean, variance, 1/√(var + ε). */
  batchNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, invstd: Float32Array, eps: number): void;
  /** Its gradient: writes dx (M·C), dγ and dβ (C). */
  batchNormGrad(dy: Float32Array, x: Float32Array, mean: Float32Array, invstd: Float32Array, gamma: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  /** Σ x², accumulated in double. */
  sumOfSquares(x: Float32Array): number;
  /** oneDNN's version, e.g. "2.6.3". */
  oneDnnVersion(): string;
}

/**
 * Where `npm run build` and the install script (packages/backend/native/build-native.mjs) put the addon, from the
 * package root: beside the compiled modules in dist/, in a folder of its own that `files` leaves out of the tarball.
 */
export const NATIVE_ADDON_PATH = 'dist/addon/ungreedy-native.node';

export type NativeStatus = { readonly ok: true; readonly addon: NativeAddon; readonly detail: string } | { readonly ok: false; readonly reason: string };

let status: NativeStatus | undefined;

/**
 * Loads the native kernels once per process, or says why not. They are optional: the addon exists only where
 * the build found oneDNN (Debian: `apt install libdnnl-dev`) and a C++ compiler, and it is not loaded when
 * `UNGREEDY_NATIVE=off` (to run the pure-wasm kernels, e.g. as a baseline).
 */
export function nativeStatus(): NativeStatus {
  status ??= load();
  return status;
}

function load(): NativeStatus {
  if (process.env.UNGREEDY_NATIVE === 'off') return { ok: false, reason: 'UNGREEDY_NATIVE=off' };
  // Both src/native and dist/native sit two folders below the package root.
  const path = fileURLToPath(new URL(`../../${NATIVE_ADDON_PATH}`, import.meta.url));
  if (!existsSync(path)) {
    return { ok: false, reason: `no native addon at ${path} (the build makes it where libdnnl-dev and g++ are installed: apt install libdnnl-dev, then npm run build)` };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const threads = process.env.OMP_NUM_THREADS;
    const on = threads === undefined ? 'every core' : `${threads} thread${threads === '1' ? '' : 's'} (OMP_NUM_THREADS)`;
    return { ok: true, addon, detail: `native kernels (oneDNN ${addon.oneDnnVersion()}) on ${on}` };
  } catch (err) {
    return { ok: false, reason: `native addon ${path} failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}
