import 'reflect-metadata';

export * from './errors.js';
export * from './tokens.js';
export * from './version.js';
export * from './util/json.js';
export * from './util/clock.js';
export * from './rng/rng.js';
export type * from './log/logger.js';
export type * from './backend/backend-info.js';
export * from './plugin/manifest.js';
export * from './plugin/define-plugin.js';
export type * from './plugin/registry.js';
export type * from './config/experiment-config.js';
export type * from './data/dataset.js';
export type * from './model/module.js';
export type * from './model/encoder.js';
export * from './model/fusion-block.js';
export * from './model/param-group.js';
export type * from './strategy/balancing-strategy.js';
export * from './strategy/hooks.js';
export type * from './run/metric-records.js';
export type * from './run/run-store.js';
export { builtinPlugin } from './builtins.js';
export {
  getStockKernel,
  projectKernelNames,
  registerFastCpuKernels,
  registerProjectKernels,
  unregisterProjectKernels,
  WASM_TRAINING_READY,
} from './backend/kernels/index.js';
export { ensureGradients } from './backend/kernels/register-gradients.js';
export { setupWebGpu, webGpuStatus } from './backend/webgpu/setup-webgpu.js';
export type { WebGpuStatus } from './backend/webgpu/setup-webgpu.js';
