// @ungreedy/backend: the TensorFlow.js kernels ungreedy registers and the optional oneDNN native addon
// (README). Core's engine picks the backend (packages/core/src/engine/backend/select-backend.ts) and imports
// these; this package imports nothing from @ungreedy/core.
export {
  getStockKernel,
  nativeKernelStatus,
  projectKernelNames,
  registerFastCpuKernels,
  registerNativeKernels,
  registerProjectKernels,
  unregisterNativeKernels,
  unregisterProjectKernels,
  WASM_TRAINING_READY,
} from './kernels/index.js';
export { ensureGradients } from './kernels/register-gradients.js';
export { batchNormTrain } from './kernels/batch-norm-train.js';
export type { BatchStats } from './kernels/batch-norm-train.js';
export { sumOfSquares } from './kernels/sum-of-squares.js';
export { installLeanBackprop, uninstallLeanBackprop } from './kernels/lean-backprop.js';
export { ADAM_STEP, SGD_STEP, fusedOptimizerStep } from './native/fused-optimizer.js';
export { NATIVE_ADDON_PATH, nativeStatus } from './native/native-addon.js';
export type { NativeAddon, NativeStatus } from './native/native-addon.js';
export { setupWebGpu, webGpuStatus } from './webgpu/setup-webgpu.js';
export type { WebGpuStatus } from './webgpu/setup-webgpu.js';
