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
export { buildTinyModel } from './tiny-model.js';
export type { TinyModel, TinyModelChoice, TinyModelOptions } from './tiny-model.js';
export type { TinyDatasetOptions, TinyModalityOptions } from './tiny-dataset.js';
// The gradient-check suite's cases and comparison, to check a backend on a machine the test runner does not reach
// (tools/bench/backend-check.ts: a GPU machine).
export { availableBackends, compareWithCpu, OP_CASES, relError } from '@ungreedy/backend/gradient-check';
export type { Evaluation, OpCase } from '@ungreedy/backend/gradient-check';
// Runs a plugin command as the CLI does (`--help` from its declaration, arguments parsed into ctx.args), for its tests.
export { runCommand } from '../contract/cli/command-args.js';
export { shuffledEpochs } from './shuffled-epochs.js';
export { stepMetric, weightNormRecorder, weightsAtStep } from './training-probes.js';
export type { StepWeights } from './training-probes.js';
