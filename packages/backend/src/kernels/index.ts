import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv3DBackpropFilterV2Config, conv3DBackpropInputV2Config, conv3DConfig } from './conv3d.js';
import { maxPool3DConfig } from './max-pool3d.js';
import { maxPool3DGradConfig, maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reduce.js';
import { replacedStockKernels as stock } from './stock-kernels.js';
import { nativeStatus } from '../native/native-addon.js';
import { nativeKernelConfigs } from '../native/native-kernels.js';

/**
 * The kernels the project registers per backend, each replacing a stock kernel that is missing, wrong or slow
 * there (docs/backends.md). Sorted by kernel name.
 */
const PROJECT_KERNELS: Readonly<Record<string, readonly ((backendName: string) => KernelConfig)[]>> = {
  wasm: [
    conv2dBackpropFilterConfig, // missing on wasm: conv2d could not be trained at all
    conv2dBackpropInputConfig, // right but ~8x slower than a conv2d on dilated dy
    conv3DConfig, // right but ~45x slower than the folded conv2d
    conv3DBackpropFilterV2Config, // wrong at stride > 1
    conv3DBackpropInputV2Config, // wrong even at stride 1
    maxPool3DConfig, // wrong when a whole window is negative (returns FLT_MIN)
    maxPool3DGradConfig, // searches from FLT_MIN like the forward
    maxPoolGradConfig, // wrong for 2x2 windows
    meanConfig, // transposes before reducing non-innermost axes: ~10x slower for batch-norm statistics
    sumConfig, // same as Mean
  ],
};

/**
 * Opt-in for the pure-JS cpu backend (never registered by backend selection: cpu stays the untouched oracle).
 * Its stock Conv2DBackpropFilter is ~50x slower than its own Conv2D; the im2col version is ~10x faster.
 */
const FAST_CPU_KERNELS: readonly ((backendName: string) => KernelConfig)[] = [conv2dBackpropFilterConfig, conv2dBackpropInputConfig];

const registered = new Set<string>();

/**
 * Registers the project's own kernels and gradients for a backend: the ones stock TensorFlow.js lacks or
 * computes wrongly there (packages/core/docs/backends.md). Called once by backend selection, after
 * `tf.setBackend(name)`; calling it again is a no-op. Backends without project kernels (cpu, the test oracle;
 * webgpu; tensorflow) are left as they are.
 *
 * @example
 * await tf.setBackend('wasm');
 * registerProjectKernels('wasm'); // conv2d, conv3d and max-pool gradients now train correctly on wasm
 */
export function registerProjectKernels(backend: string): void {
  const configs = PROJECT_KERNELS[backend];
  if (configs === undefined || registered.has(backend)) return;
  replaceKernels(backend, configs);
  if (backend === 'wasm') registerNativeKernels();
}

/** The kernels the native ones replaced on wasm (project or stock), to put back. */
const replacedByNative = new Map<string, KernelConfig | undefined>();

/**
 * Puts the native kernels (backend/native: oneDNN convolutions; max-pool gradient, batch norm, optimizer steps and
 * sums of squares in C++) over the wasm ones when the addon is built and loads; `registerProjectKernels('wasm')` calls it. Returns whether they are
 * active; `nativeKernelStatus()` says why not.
 */
export function registerNativeKernels(): boolean {
  const status = nativeStatus();
  if (!status.ok) return false;
  if (replacedByNative.size > 0) return true;
  for (const config of nativeKernelConfigs(status.addon, (name) => getKernel(name, 'wasm'))) {
    const previous = getKernel(config.kernelName, 'wasm');
    replacedByNative.set(config.kernelName, previous);
    if (previous !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  return true;
}

/** Takes the native kernels off wasm again (the gradient-check suite tests the wasm kernels under them too). */
export function unregisterNativeKernels(): void {
  for (const [name, previous] of replacedByNative) {
    unregisterKernel(name, 'wasm');
    if (previous !== undefined) registerKernel(previous);
  }
  replacedByNative.clear();
}

/** Whether the native kernels are on wasm now, and what they are or why they are not. */
export function nativeKernelStatus(): { active: boolean; detail: string } {
  const status = nativeStatus();
  return { active: replacedByNative.size > 0, detail: status.ok ? status.detail : status.reason };
}

/**
 * Makes training convolutions on the cpu backend ~10x faster with the project's conv2d gradient kernels (for
 * benchmarks and long cpu runs). Not for the gradient-check suite, whose oracle is stock cpu. Undo with
 * `unregisterProjectKernels('cpu')`.
 */
export function registerFastCpuKernels(): void {
  if (registered.has('cpu')) return;
  replaceKernels('cpu', FAST_CPU_KERNELS);
}

function replaceKernels(backend: string, configs: readonly ((backendName: string) => KernelConfig)[]): void {
  for (const make of configs) {
    const config = make(backend);
    const existing = getKernel(config.kernelName, backend);
    if (existing !== undefined) {
      stock.set(`${backend}/${config.kernelName}`, existing);
      unregisterKernel(config.kernelName, backend);
    }
    registerKernel(config);
  }
  registered.add(backend);
}

/** Puts the stock kernels back (benchmarks of stock vs project kernels; tests of the stock kernels' faults). */
export function unregisterProjectKernels(backend: string): void {
  const configs = backend === 'cpu' ? FAST_CPU_KERNELS : PROJECT_KERNELS[backend];
  if (configs === undefined || !registered.has(backend)) return;
  if (backend === 'wasm') unregisterNativeKernels();
  for (const make of configs) {
    const name = make(backend).kernelName;
    unregisterKernel(name, backend);
    const original = stock.get(`${backend}/${name}`);
    if (original !== undefined) registerKernel(original);
  }
  registered.delete(backend);
}

/** The kernel names the project replaces or adds on `backend`. */
export function projectKernelNames(backend: string): string[] {
  return (PROJECT_KERNELS[backend] ?? []).map((make) => make(backend).kernelName);
}

/**
 * The stock kernel TensorFlow.js ships for `kernelName` on `backend`, even after the project replaced it
 * (undefined where stock has none). The gradient-check suite calls it to prove that it catches the stock faults.
 */
export function getStockKernel(kernelName: string, backend: string): KernelConfig | undefined {
  if (registered.has(backend)) return stock.get(`${backend}/${kernelName}`);
  return getKernel(kernelName, backend);
}

/**
 * Whether wasm can train the built-in models correctly with the project's kernels registered. `auto` picks
 * wasm over cpu only when this is true. Set once the gradient-check suite (gradient-check.test.ts) passed on
 * wasm with the kernels above registered.
 */
export const WASM_TRAINING_READY = true;
