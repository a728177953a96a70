import type { JsonSchema } from '../util/json.js';
import type { Dataset, DatasetContext, DatasetDescription, DescribeContext } from '../data/dataset.js';
import type { Encoder, EncoderContext } from '../model/encoder.js';
import type { FusionBlock, FusionContext } from '../model/fusion-block.js';
import type { BalancingStrategy, StrategyCreateContext } from '../strategy/balancing-strategy.js';
import type { Logger } from '../log/logger.js';
import type { Executor, ExecutorContext } from '../executor/executor.js';

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
/** Where `ungreedy compare` runs its cells (core's `local` and `slurm`; docs/cluster.md). */
export type ExecutorContribution<O = any> = Contribution<O, ExecutorContext, Executor>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * One option of a plugin command, declared in its meta: core parses the command line against the declarations,
 * prints `--help` from them, and refuses a bad value with UNG_ERR_CLI_USAGE naming the option, before `run`.
 * Reach this type as `CommandContribution['meta']['options'][string]`.
 */
interface CommandOption {
  /** `string`: the text; `number`: a finite number; `integer`: a whole number; `boolean`: a flag without a value. */
  readonly type: 'string' | 'number' | 'integer' | 'boolean';
  /** One line for `--help`. */
  readonly description: string;
  /** For a `string`: the only words it takes (`--codec mjpeg|ffv1`). */
  readonly choices?: readonly string[];
  /** For a `number` or an `integer`: the smallest value allowed (inclusive). */
  readonly min?: number;
  /** The command cannot run without it (`--out <dir>`). */
  readonly required?: boolean;
  /** The value when the option is not given (a boolean's is false). */
  readonly default?: string | number | boolean;
  /** The placeholder `--help` shows for the value (`dir`, `WxH`); the type when absent. */
  readonly placeholder?: string;
}

type CommandOptions = Readonly<Record<string, CommandOption>>;

/** The parsed value of option `S`: never undefined when it is required, has a default, or is a flag. */
type CommandOptionValue<S extends CommandOption> = S extends { readonly type: 'boolean' }
  ? boolean
  :
      | (S extends { readonly type: 'number' | 'integer' }
          ? number
          : S extends { readonly choices: readonly (infer C)[] }
            ? C
            : string)
      | (S extends { readonly required: true } | { readonly default: string | number | boolean } ? never : undefined);

/** What a plugin command (`ungreedy prepare <id>`, `ungreedy datasets make <id>`) receives. */
export interface CommandContext<O extends CommandOptions = CommandOptions> {
  readonly log: Logger;
  readonly cwd: string;
  /** Writes a line for the user (stdout). */
  print(line: string): void;
  /**
   * The command line, parsed and checked against the command's declared `options` and `positionals`: each
   * option's value (its `default` when not given), and the positional arguments in order.
   */
  readonly args: {
    readonly options: string extends keyof O
      ? Readonly<Record<string, string | number | boolean | undefined>>
      : { readonly [K in keyof O]: CommandOptionValue<O[K]> };
    readonly positionals: readonly string[];
  };
}

/**
 * A sub-command a plugin adds to the CLI. Ids are `prepare/<name>` (one-time conversion of raw data) or
 * `make/<name>` (a generator of small data in a dataset's real layout). Declare its options with `as const` and
 * type it `CommandContribution<typeof options>`, so `ctx.args.options` carries each option's type.
 */
export interface CommandContribution<O extends CommandOptions = CommandOptions> {
  readonly meta: {
    readonly docs: {
      readonly description: string;
      /** The synopsis `ungreedy datasets` and `--help` show: `ungreedy prepare x <root> --out <dir> [--size N]`. */
      readonly usage: string;
      /** More text for `--help`, printed after the options. */
      readonly help?: string;
    };
    readonly options?: O;
    /** The positional arguments, in order; the required ones first. None are accepted when absent. */
    readonly positionals?: readonly { readonly name: string; readonly description: string; readonly required?: boolean }[];
  };
  /** Returns the process exit code: 0 ok, 1 failed, 2 bad input. Core has handled `--help` and bad arguments. */
  run(ctx: CommandContext<O>): Promise<number>;
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
  readonly executors?: Readonly<Record<string, ExecutorContribution>>;
  readonly commands?: Readonly<Record<string, CommandContribution>>;
}

export type ComponentKind = 'datasets' | 'encoders' | 'fusions' | 'strategies' | 'executors' | 'commands';
export const COMPONENT_KINDS: readonly ComponentKind[] = ['datasets', 'encoders', 'fusions', 'strategies', 'executors', 'commands'];
