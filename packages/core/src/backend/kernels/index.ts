/**
 * Registers the project's own kernels and gradients for a backend: the ones stock TensorFlow.js lacks or
 * computes wrongly there (shared/reference/backends.md). Called once by backend selection, after
 * `tf.setBackend(name)`.
 */
export function registerProjectKernels(_backend: string): void {
  // Filled in by the kernels work (issue 8): wasm Conv2DBackpropFilter/Input, safe max-pool gradients, ...
}

/**
 * Whether wasm can train the built-in models correctly with the project's kernels registered. `auto` picks
 * wasm over cpu only when this is true (set by the kernels work once its gradient-check suite passes).
 */
export const WASM_TRAINING_READY = false;
