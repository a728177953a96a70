// The contract: what a plugin imports from `@ungreedy/core`, and the only part of core behind the semver promise
// that `meta.coreApi` ranges are checked against (CORE_API_VERSION). The README's "The contract" section counts
// these names and says why each group is here; contract.test.ts fails when the count drifts from the README.
// Everything else (config, plugin loading, trainer, run store, backends) is `@ungreedy/core/engine`; the CLI,
// compare and report are `@ungreedy/core/app`. Neither is part of the promise.
import 'reflect-metadata';

// TensorFlow.js, as the one copy core trains with: a plugin that makes tensors imports `tf` from here instead of
// depending on its own @tensorflow/tfjs-core (two copies keep two kernel registries and two tensor trackers).
export * as tf from '@tensorflow/tfjs-core';
export { CORE_API_VERSION } from './version/version.js';
export { UngreedyError, isUngreedyError, type ErrorCode } from './errors/errors.js';
export type { JsonObject } from './util/json.js';
export { Rng } from './rng/rng.js';
export type { Logger } from './log/logger.js';

// Plugins and contributions (STYLE.md H4-H5).
export { definePlugin, defineContribution } from './plugin/define-plugin.js';
export type {
  CommandContext,
  CommandContribution,
  Contribution,
  DatasetContribution,
  EncoderContribution,
  ExecutorContribution,
  FusionContribution,
  PluginManifest,
  PluginMeta,
  StrategyContribution,
} from './plugin/manifest.js';

// Executors: where `ungreedy compare` runs its cells (docs/cluster.md). The task-state type is reached as
// `Awaited<ReturnType<Executor['poll']>>[number]`.
export type { Executor, ExecutorContext } from './executor/executor.js';

// Datasets.
export type {
  Batch,
  BatchRequest,
  Dataset,
  DatasetContext,
  DatasetDescription,
  DescribeContext,
  ModalitySpec,
  SplitName,
} from './data/dataset.js';
// The one seeded batch order every dataset uses, so bit-exact resume does not depend on each plugin's own copy.
export { BatchOrder, checkBatch, streamBatches } from './data/batch-iterator.js';

// Encoders and fusion blocks.
export type { ForwardContext, Module, NamedVariable } from './model/module.js';
export type { Encoder, EncoderContext, EncoderStage } from './model/encoder.js';
export {
  REGULAR,
  isRebalance,
  rebalanceMode,
  type ForwardMode,
  type FusionBlock,
  type FusionContext,
  type FusionForwardContext,
} from './model/fusion-block.js';
export {
  SHARED_FUSION_GROUP,
  branchGroup, bypassGroups, fusionGroup, headGroup, mainGroups,
  type ParamGroupId,
} from './model/param-group.js';

// Balancing strategies (STYLE.md H9-H12).
// The strategy surface (docs/hooks.md): the hooks and their contexts. Helper types of their fields (StepBatch,
// MaskedForward, ...) stay unexported: reach them as `StepContext['batch']` and so on, so the promise stays small.
export type {
  BalancingStrategy,
  BalancingStrategyHooks,
  EpochContext,
  FuseContext,
  GradientsByGroup,
  GroupNorm,
  LearningSpeed,
  LossInput,
  ModalityMask,
  ParamGradient,
  SplitSummary,
  StepContext,
  StrategyContext,
  StrategyCreateContext,
  ValidationResult,
} from './strategy/balancing-strategy.js';
export { HOOKS } from './strategy/hooks.js';
// The paper's re-balancing step (docs/method.md#balancing), shared by guided and random and open to third-party
// variants that choose the modality differently.
export { RebalancingStrategy, requireMultiModal } from './strategy/rebalancing-strategy.js';
export type { RebalancingOptions, RebalancingState } from './strategy/rebalancing-strategy.js';

// Crash-safe writes for dataset caches, and the cleanup after a killed writer. (A plugin command's arguments are
// parsed by core against the options its meta declares: CommandContext['args'].)
export { sweepStaleAtomicTemps, writeFileAtomicAsync } from './util/atomic-write.js';
