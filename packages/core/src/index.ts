export * as tf from '@tensorflow/tfjs-core';
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
export { RebalancingStrategy, requireMultiModal } from './strategy/rebalancing-strategy.js';
export type { RebalancingOptions, RebalancingState } from './strategy/rebalancing-strategy.js';
export type * from './run/metric-records.js';
export type * from './run/run-store.js';
export { builtinPlugin } from './builtins.js';
export { buildModel } from './model/build-model.js';
export { Mmtm, squeeze, type MmtmOptions, type MmtmRunningMeanOptions } from './model/fusion/mmtm.js';
export { ParamStore } from './model/layers/param-store.js';
export { conv3d, maxPool3d } from './model/layers/conv3d.js';
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
} from './backend/kernels/index.js';
export { ensureGradients } from './backend/kernels/register-gradients.js';
export { batchNormTrain } from './backend/kernels/batch-norm-train.js';
export { sumOfSquares } from './backend/kernels/sum-of-squares.js';
export { installLeanBackprop, uninstallLeanBackprop } from './backend/kernels/lean-backprop.js';
export type { BatchStats } from './backend/kernels/batch-norm-train.js';
export { setupWebGpu, webGpuStatus } from './backend/webgpu/setup-webgpu.js';
export type { WebGpuStatus } from './backend/webgpu/setup-webgpu.js';
export { checkCoreRange } from './plugin/check-core-range.js';
export { validateManifest } from './plugin/validate-manifest.js';
export { DefaultPluginRegistry, createPluginRegistry } from './plugin/plugin-registry.js';
export { loadPlugins, importPlugin, resolvePluginEntry, isPathSpecifier, type LoadPluginsOptions } from './plugin/load-plugins.js';
export { defineConfig, type ExperimentConfigInput } from './config/define-config.js';
export { loadConfigFile, parseConfigText, type ConfigFile } from './config/load-config-file.js';
export { validateConfig, checkCoreConfig, checkComponents, getCoreSchema } from './config/validate-config.js';
export { formatIssues, configInvalidError, type ConfigIssue } from './config/format-issues.js';
export { didYouMean } from './config/did-you-mean.js';
export { loadExperiment, resolveExperiment, type LoadedExperiment, type ExperimentOverrides } from './config/load-experiment.js';
export { createRootContainer, type RootServices } from './container/create-root-container.js';
export { createRunContainer, type RunContainerOptions, type RunScope } from './container/create-run-container.js';
export { FileRunStore, RUN_FILES } from './run/file-run-store.js';
export { createRunFolder } from './run/create-run-folder.js';
export { createRunManifest, corePackageVersion, gitCommit } from './run/run-manifest.js';
export { createLogger, logLevelFromEnv, type CreateLoggerOptions, type LoggerHandle } from './log/create-logger.js';
export { selectBackend } from './backend/select-backend.js';
export {
  atomicTempPath,
  isStaleAtomicTemp,
  withAtomicFile,
  writeFileAtomic,
  writeFileAtomicAsync,
  writeJsonAtomic,
  type AsyncAtomicWriteOptions,
} from './util/atomic-write.js';
export { deepMerge } from './util/deep-merge.js';
export { main } from './cli/main.js';
export {
  choiceOption,
  integerOption,
  numberOption,
  parseCliArgs,
  requireOption,
  requirePositional,
  stringOptions,
  wantsHelp,
  type NumberOptionRule,
} from './cli/parse-cli-args.js';
export type { CliCommand, CliContext, CliIo } from './cli/cli-command.js';
export { trainExperiment, createDataset, resolveModalities } from './trainer/train-experiment.js';
export type { TrainExperimentOptions } from './trainer/train-experiment.js';
export { evaluateRun } from './trainer/evaluate-run.js';
export type { EvaluateRunOptions } from './trainer/evaluate-run.js';
export { HookRunner } from './trainer/hook-runner.js';
export type { HookObserver } from './trainer/hook-runner.js';
export { createOptimizer, Sgd, Adam } from './trainer/optimizer.js';
export type { Optimizer, OptimizedParam } from './trainer/optimizer.js';
export { createScheduler, ReduceLrOnPlateau } from './trainer/lr-scheduler.js';
export type { LrScheduler, EpochMonitor } from './trainer/lr-scheduler.js';
export { loadCheckpoint, saveCheckpoint, readCheckpointFiles, hasCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './trainer/checkpoint.js';
export { evaluatePass } from './trainer/epoch-loop.js';
export type { EvaluateOptions } from './trainer/epoch-loop.js';
export { batchAccuracy, argmaxRows, SplitAccumulator } from './metrics/accuracy.js';
export { crossEntropy, sumOfHeadLosses, fuseLogits } from './metrics/loss.js';
export { LearningSpeedProbe, groupRatio, spread } from './metrics/learning-speed.js';
export { utilizationRates, measureUtilization } from './metrics/utilization.js';
export type { UtilizationInput, MeasureUtilizationOptions } from './metrics/utilization.js';
export { mean, sampleStd, pairedTTest, studentTTwoSidedP } from './compare/statistics.js';
export type { PairedTest } from './compare/statistics.js';
export { loadComparePlan, expandMatrix, getCompareSchema, unimodalLabel } from './compare/compare-config.js';
export type { CompareConfig, ComparePlan, MatrixCell, CellKind, LabelledChoice, LoadComparePlanOptions } from './compare/compare-config.js';
export { runMatrix, cellState } from './compare/run-matrix.js';
export type { CellOutcome, CellState, RunMatrixOptions } from './compare/run-matrix.js';
export { readMatrix, readRunFolder, MATRIX_INDEX } from './compare/read-runs.js';
export type { MatrixIndex, RunRecords } from './compare/read-runs.js';
export { computeResults, formatMarkdown, formatCsv, formatJson, formatLatex } from './compare/results-table.js';
export type { ResultsTable, DatasetResults, ResultRow, Stat } from './compare/results-table.js';
export { writeMatrixResults, RESULT_FILES } from './compare/write-results.js';
export { renderReport } from './report/report-html.js';
export { TensorBoardWriter } from './report/tensorboard.js';
export { writeRunEvents } from './report/write-run-events.js';
export { readEventFile } from './report/read-event-file.js';
export type { ScalarEvent } from './report/read-event-file.js';
export { runExperiment, defaultRunDir, type RunExperimentOptions, type RunOutcome } from './run/run-experiment.js';
export { loadPretrained, type LoadPretrainedOptions, type PretrainedReport } from './model/load-pretrained.js';
