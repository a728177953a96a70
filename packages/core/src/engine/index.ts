// `@ungreedy/core/engine`: config and validation, plugin loading, run containers, model assembly, the trainer,
// evaluation, the run store and backend selection. For the app layer (src/app), tools and benchmarks: not part
// of the contract (src/index.ts), so it may change in a minor release.
import 'reflect-metadata';

export { ERROR_CODES, INPUT_ERROR_CODES, assertInput } from '../contract/errors/errors.js';
export * from './assembly/tokens.js';
export type * from '../contract/util/json.js';
export * from './util/clock.js';
export * from '../contract/rng/rng.js';
export type * from './backend/backend-info.js';
export { COMPONENT_KINDS, type ComponentKind } from '../contract/plugin/manifest.js';
export type * from './plugin/registry.js';
export type * from './config/experiment-config.js';
export { modeKey } from '../contract/model/fusion-block.js';
export { rebalanceUpdateMask } from '../contract/model/param-group.js';
export type { HookKind, HookName } from '../contract/strategy/hooks.js';
export type * from './run/metric-records.js';
export type * from './run/run-store.js';
export { builtinPlugin } from './assembly/builtins.js';
export { buildModel } from './model/build-model.js';
export { Mmtm, squeeze, type MmtmOptions, type MmtmRunningMeanOptions } from './model/fusion/mmtm.js';
export { ParamStore } from './model/layers/param-store.js';
export { conv3d, maxPool3d } from './model/layers/conv3d.js';
// The kernels live in @ungreedy/backend (engine -> backend); re-exported here for the engine's users.
export {
  batchNormTrain,
  ensureGradients,
  getStockKernel,
  installLeanBackprop,
  nativeKernelStatus,
  projectKernelNames,
  registerFastCpuKernels,
  registerNativeKernels,
  registerProjectKernels,
  setupWebGpu,
  sumOfSquares,
  uninstallLeanBackprop,
  unregisterNativeKernels,
  unregisterProjectKernels,
  WASM_TRAINING_READY,
  webGpuStatus,
} from '@ungreedy/backend';
export type { BatchStats, WebGpuStatus } from '@ungreedy/backend';
export { checkCoreRange } from './plugin/check-core-range.js';
export { validateManifest } from './plugin/validate-manifest.js';
export { DefaultPluginRegistry, createPluginRegistry } from './plugin/plugin-registry.js';
export { loadPlugins, importPlugin, resolvePluginEntry, isPathSpecifier, type LoadPluginsOptions } from './plugin/load-plugins.js';
export { defineConfig, type ExperimentConfigInput } from './config/define-config.js';
export { loadConfigFile, parseConfigText, type ConfigFile } from './config/load-config-file.js';
export { validateConfig, checkCoreConfig, checkComponents, getCoreSchema } from './config/validate-config.js';
export { formatIssues, configInvalidError, type ConfigIssue } from './config/format-issues.js';
export { didYouMean } from './util/did-you-mean.js';
export { loadExperiment, resolveExperiment, type LoadedExperiment, type ExperimentOverrides } from './assembly/load-experiment.js';
export { createRootContainer, type RootServices } from './assembly/create-root-container.js';
export { createRunContainer, registerRunServices, type RunContainerOptions, type RunScope } from './assembly/create-run-container.js';
export { FileRunStore, RUN_FILES } from './run/file-run-store.js';
export { createRunFolder } from './run/create-run-folder.js';
export { createRunManifest, corePackageVersion, gitCommit } from './run/run-manifest.js';
export { createLogger, logLevelFromEnv, type CreateLoggerOptions, type LoggerHandle } from './log/create-logger.js';
export { selectBackend } from './backend/select-backend.js';
export {
  atomicTempPath,
  writeFileAtomic,
  writeJsonAtomic,
  type AsyncAtomicWriteOptions,
} from '../contract/util/atomic-write.js';
export { deepMerge } from './util/deep-merge.js';
export { trainExperiment } from './assembly/train-experiment.js';
export { assembleRun, type AssembledRun } from './assembly/assemble-run.js';
export { trainRun, type TrainRunOptions } from './trainer/train-run.js';
export type { RunParts, ResolvedStrategy } from './trainer/run-parts.js';
export type { TrainExperimentOptions } from './assembly/train-experiment.js';
export { evaluateRun } from './assembly/evaluate-run.js';
export type { EvaluateRunOptions } from './assembly/evaluate-run.js';
export { HookRunner } from './trainer/hook-runner.js';
export type { HookObserver } from './trainer/hook-runner.js';
export { createOptimizer, Sgd, Adam } from './trainer/optimizer.js';
export type { Optimizer, OptimizedParam } from './trainer/optimizer.js';
export { createScheduler, ReduceLrOnPlateau } from './trainer/lr-scheduler.js';
export type { LrScheduler, EpochMonitor } from './trainer/lr-scheduler.js';
export { loadCheckpoint, saveCheckpoint, readCheckpointFiles, hasCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './trainer/checkpoint.js';
export { evaluatePass } from './eval/evaluate-pass.js';
export type { EvaluateOptions } from './eval/evaluate-pass.js';
export { batchAccuracy, argmaxRows, SplitAccumulator } from './eval/accuracy.js';
export { crossEntropy, sumOfHeadLosses, fuseLogits } from './eval/loss.js';
export { LearningSpeedProbe, groupRatio, spread } from './eval/learning-speed.js';
export { utilizationRates, measureUtilization } from './eval/utilization.js';
export type { UtilizationInput, MeasureUtilizationOptions } from './eval/utilization.js';
export { runExperiment, type RunExperimentOptions, type RunOutcome } from './assembly/run-experiment.js';
export { loadPretrained, type LoadPretrainedOptions, type PretrainedReport } from './model/load-pretrained.js';
