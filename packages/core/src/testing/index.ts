// The conformance kit and test helpers, published as `@ungreedy/core/testing` (STYLE.md H13).
export { checkPlugin } from './check-plugin.js';
export { driveStrategy } from './drive-strategy.js';
export type { DriveOptions, StepTrace } from './drive-strategy.js';
export { HookRecorder } from './hook-recorder.js';
export type { HookCall } from './hook-recorder.js';
export { LossFixture } from './loss-fixture.js';
export type { FixtureStep } from './loss-fixture.js';
export { compileOptionsSchema, deepMerge, resolveOptions } from './resolve-options.js';
export type { OptionIssue } from './resolve-options.js';
export { scriptedRng } from './scripted-rng.js';
export { setupCpu } from './setup-cpu.js';
export { silentLogger } from './silent-logger.js';
export { SpeedScript } from './speed-script.js';
export { learningSpeed, learningSpeedWithD, modeKey, stepContext, strategyContext } from './strategy-context.js';
export { StrategyTester } from './strategy-tester.js';
export type { InvalidStrategyCase, StrategyCases, StrategyTesterOptions } from './strategy-tester.js';
export { tinyDataset, tinyDatasetContribution } from './tiny-dataset.js';
export type { TinyDatasetOptions, TinyModalityOptions } from './tiny-dataset.js';
