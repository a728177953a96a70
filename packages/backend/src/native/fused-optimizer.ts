import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { multiOutputKernel } from '../kernels/kernel-ops.js';
import { rememberSquaredNorm } from '../kernels/sum-of-squares.js';
import type { NativeAddon } from './native-addon.js';

/** Kernels that update one parameter (and its optimizer slots) in one pass; only the native addon provides them. */
export const ADAM_STEP = 'UngreedyAdamStep';
export const SGD_STEP = 'UngreedySgdStep';

/**
 * Runs a fused optimizer step when the current backend has it (wasm with the native addon), else returns
 * undefined and the optimizer runs its TensorFlow.js ops. `scalars` as in ungreedy-native.cc; the outputs are
 * the new parameter and the new slots, bit-equal to what the ops compute. The new parameter's Σ θ² is recorded for
 * the learning-speed probe (`sumOfSquares`).
 */
export function fusedOptimizerStep(kernelName: typeof ADAM_STEP | typeof SGD_STEP, inputs: Record<string, tf.Tensor>, scalars: readonly number[]): tf.Tensor[] | undefined {
  if (getKernel(kernelName, tf.getBackend()) === undefined) return undefined;
  // Rounded here once, as TensorFlow.js rounds a JavaScript number when an op takes it as a scalar.
  const attrs = { scalars: scalars.map(Math.fround) };
  return tf.engine().runKernel(kernelName, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor[];
}

/** The wasm kernels of the fused steps, on the native addon. */
export function fusedOptimizerConfigs(addon: NativeAddon): KernelConfig[] {
  const empty = new Float32Array(0);
  const scalarsOf = (attrs: NamedAttrMap) => Float32Array.from((attrs as { scalars: number[] }).scalars);
  return [
    multiOutputKernel(ADAM_STEP, 'wasm', (ops, { param, grad, m, v }, attrs) => {
      const outs = [param!, m!, v!].map((t) => ops.alloc([...t.shape]));
      const [theta, newM, newV] = outs.map((t) => ops.view(t)) as [Float32Array, Float32Array, Float32Array];
      rememberSquaredNorm(outs[0]!.dataId, addon.adamStep(ops.view(param!), ops.view(grad!), ops.view(m!), ops.view(v!), theta, newM, newV, scalarsOf(attrs)));
      return outs;
    }),
    multiOutputKernel(SGD_STEP, 'wasm', (ops, { param, grad, buf }, attrs) => {
      const outs = (buf === undefined ? [param!] : [param!, buf]).map((t) => ops.alloc([...t.shape]));
      const bufView = buf === undefined ? empty : ops.view(buf);
      const squaredNorm = addon.sgdStep(ops.view(param!), ops.view(grad!), bufView, ops.view(outs[0]!), outs[1] === undefined ? empty : ops.view(outs[1]), scalarsOf(attrs));
      rememberSquaredNorm(outs[0]!.dataId, squaredNorm);
      return outs;
    }),
  ];
}
