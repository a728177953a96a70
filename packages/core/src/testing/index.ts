// The conformance kit and test helpers, published as `@ungreedy/core/testing` (STYLE.md H13).
export { checkPlugin } from './check-plugin.js';
export { startScript } from './child-script.js';
export type { ScriptRun } from './child-script.js';
export { DatasetTester } from './dataset-tester.js';
export type { DatasetCases, DatasetTesterOptions, InvalidDatasetCase } from './dataset-tester.js';
export type { CheckPluginOptions, PluginPackageJson } from './check-plugin.js';
export { driveStrategy } from './drive-strategy.js';
export type { DriveOptions, StepTrace } from './drive-strategy.js';
export { EncoderTester } from './encoder-tester.js';
export type { EncoderCase, EncoderCases, EncoderTesterOptions, InvalidEncoderCase } from './encoder-tester.js';
export { FusionTester } from './fusion-tester.js';
export type { FeatureLayout, FusionCases, FusionTesterOptions, InvalidFusionCase } from './fusion-tester.js';
export { HookRecorder } from './hook-recorder.js';
export type { HookCall } from './hook-recorder.js';
export { LossFixture } from './loss-fixture.js';
export type { FixtureStep } from './loss-fixture.js';
export { compileOptionsSchema, resolveOptions, strictSchemaProblem } from './resolve-options.js';
export type { OptionIssue } from './resolve-options.js';
export { scriptedRng } from './scripted-rng.js';
export { setupCpu } from './setup-cpu.js';
export { silentLogger } from './silent-logger.js';
export { SpeedScript } from './speed-script.js';
export {
  emptyDataAccess,
  epochContext,
  learningSpeed,
  learningSpeedWithD,
  modeKey,
  RecordedMetrics,
  stepContext,
  strategyContext,
} from './strategy-context.js';
export { StrategyTester } from './strategy-tester.js';
export type { InvalidStrategyCase, StrategyCases, StrategyTesterOptions } from './strategy-tester.js';
export { TINY_EXPERIMENT, tinyDatasetPlugin, trainTiny } from './train-tiny.js';
export type { TinyRun, TrainTinyOptions } from './train-tiny.js';
export { TEST_BACKEND_VARIABLE, setupTestBackend, testBackendName } from './test-backend.js';
export type { TestBackendName } from './test-backend.js';
export { tinyDataset, tinyDatasetContribution } from './tiny-dataset.js';
export type { TinyDatasetOptions, TinyModalityOptions } from './tiny-dataset.js';
// The gradient-check suite's cases and comparison, to check a backend on a machine the test runner does not reach
// (tools/bench/backend-check.ts: a GPU machine).
export { OP_CASES } from '../engine/backend/kernels/op-cases.js';
export { availableBackends, compareWithCpu, relError } from '../engine/backend/kernels/gradient-check.js';
export type { Evaluation, OpCase } from '../engine/backend/kernels/gradient-check.js';
