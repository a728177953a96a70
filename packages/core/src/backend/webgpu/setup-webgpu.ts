/**
 * Makes `navigator.gpu` available in Node through Dawn (npm package `webgpu`) so that
 * `@tensorflow/tfjs-backend-webgpu` can run; resolves false when no GPU adapter is found.
 */
export async function setupWebGpu(): Promise<boolean> {
  // Filled in by the kernels/GPU work (issue 8).
  return false;
}
