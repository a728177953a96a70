/**
 * Registers the project's own kernels and gradients for a backend: the ones stock TensorFlow.js lacks or
 * computes wrongly there (see ../../../../../shared/reference/backends.md and docs/backends.md).
 * Called once by backend selection, after `tf.setBackend(name)`.
 */
export function registerProjectKernels(_backend: string): void {
  // Filled in by the kernels work (issue 8): wasm Conv2DBackpropFilter/Input, safe max-pool gradients, ...
}
