import type { JsonSchema } from '../util/json.js';
import type { Dataset, DatasetContext, DatasetDescription, DescribeContext } from '../data/dataset.js';
import type { Encoder, EncoderContext } from '../model/encoder.js';
import type { FusionBlock, FusionContext } from '../model/fusion-block.js';
import type { BalancingStrategy, StrategyCreateContext } from '../strategy/balancing-strategy.js';
import type { Logger } from '../log/logger.js';

/** Declared facts about a contribution, readable without calling into it (STYLE.md H5). */
export interface ContributionMeta<Options> {
  readonly docs: { readonly description: string; readonly url?: string };
  /** Deep-merged under the user's options before validation, so `create` needs no fallbacks. */
  readonly defaultOptions: Options;
  /** JSON Schema of the options object, with `additionalProperties: false`. */
  readonly schema: JsonSchema;
}

/** One dataset, encoder, fusion block or strategy a plugin offers. */
export interface Contribution<Options, Context, Product> {
  readonly meta: ContributionMeta<Options>;
  create(options: Options, ctx: Context): Product | Promise<Product>;
}

// `any` options let a manifest hold contributions with different option types; each `create` stays typed.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface DatasetContribution<O = any> extends Contribution<O, DatasetContext, Dataset> {
  /**
   * Optional and cheap: what `create(options)` would hold, found without loading data or making tensors
   * (data/dataset.ts DatasetDescription). `ungreedy validate` and `run` call it before a run folder exists.
   */
  describe?(options: O, ctx: DescribeContext): DatasetDescription | Promise<DatasetDescription>;
}
export interface EncoderContribution<O = any> extends Contribution<O, EncoderContext, Encoder> {
  /**
   * Optional and cheap: what `create(options)` would build, from the options alone (no tensors): its stage
   * count (where `model.fusion.after` may place fusion blocks) and, where it does not depend on the input,
   * its pooled feature size (what `model.heads: shared` compares). `ungreedy validate` checks the config
   * with it; the model build checks the built encoder again (packages/core/docs/encoders.md).
   */
  describe?(options: O): { readonly stages: number; readonly featureSize?: number };
}
export type FusionContribution<O = any> = Contribution<O, FusionContext, FusionBlock>;
export type StrategyContribution<O = any> = Contribution<O, StrategyCreateContext, BalancingStrategy>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What a plugin command (`ungreedy prepare <id>`, `ungreedy datasets make <id>`) receives. */
export interface CommandContext {
  readonly log: Logger;
  readonly cwd: string;
  /** Writes a line for the user (stdout). */
  print(line: string): void;
}

/**
 * A sub-command a plugin adds to the CLI. Ids are `prepare/<name>` (one-time conversion of raw data) or
 * `make/<name>` (a generator of small data in a dataset's real layout).
 */
export interface CommandContribution {
  readonly meta: { readonly docs: { readonly description: string; readonly usage: string } };
  /** Returns the process exit code: 0 ok, 1 failed, 2 bad input. */
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}

/** The manifest's identity and requirements, checked before any contribution is touched (STYLE.md H4). */
export interface PluginMeta {
  /** The npm package name. */
  readonly name: string;
  readonly version: string;
  /** Short prefix for messages and state keys, e.g. `guided`. */
  readonly namespace?: string;
  /** Semver range of the core API this plugin was built for, e.g. `^2.0.0`. */
  readonly coreApi: string;
  /** Names of plugins that must be loaded before this one. */
  readonly dependencies?: readonly string[];
}

/** A plugin: a default-exported plain object. */
export interface PluginManifest {
  readonly meta: PluginMeta;
  readonly datasets?: Readonly<Record<string, DatasetContribution>>;
  readonly encoders?: Readonly<Record<string, EncoderContribution>>;
  readonly fusions?: Readonly<Record<string, FusionContribution>>;
  readonly strategies?: Readonly<Record<string, StrategyContribution>>;
  readonly commands?: Readonly<Record<string, CommandContribution>>;
}

export type ComponentKind = 'datasets' | 'encoders' | 'fusions' | 'strategies' | 'commands';
export const COMPONENT_KINDS: readonly ComponentKind[] = ['datasets', 'encoders', 'fusions', 'strategies', 'commands'];
