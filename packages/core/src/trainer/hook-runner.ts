import type * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../errors.js';
import { REGULAR, type ForwardMode } from '../model/fusion-block.js';
import type { ParamGroupId } from '../model/param-group.js';
import type {
  BalancingStrategy,
  BalancingStrategyHooks,
  GradientsByGroup,
  LossInput,
  StepContext,
  StrategyContext,
} from '../strategy/balancing-strategy.js';
import type { HookName } from '../strategy/hooks.js';

/** Hook names of the strategy surface; the runner's methods are exactly these (STYLE.md H11). */
type StrategyHook = keyof BalancingStrategyHooks & HookName;

/**
 * A built-in observer (probe, checkpointing, a test recorder) that sees the same observe hooks as the strategy,
 * before it (`pre`) or after it (`post`). Observers never decide; the strategy is the run's only decider.
 */
export interface HookObserver extends Pick<BalancingStrategyHooks, 'onEpochBegin' | 'onAfterBackward' | 'onEpochEnd'> {
  readonly name: string;
  readonly order: 'pre' | 'post';
}

/**
 * The one module that calls strategy hooks. Every throw from a strategy or observer is rethrown as
 * `UNG_ERR_HOOK_FAILED` with `data: { plugin, hook, epoch, step }` and the original as `cause` (STYLE.md H8).
 */
export class HookRunner {
  private readonly pre: HookObserver[];
  private readonly post: HookObserver[];

  constructor(
    private readonly strategy: BalancingStrategy,
    /** The plugin (package name) that provides the strategy, for error messages. */
    private readonly plugin: string,
    observers: readonly HookObserver[] = [],
  ) {
    this.pre = observers.filter((o) => o.order === 'pre');
    this.post = observers.filter((o) => o.order === 'post');
  }

  async onEpochBegin(ctx: StrategyContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onEpochBegin', ctx, () => o.onEpochBegin?.(ctx));
    await this.guard(this.plugin, 'onEpochBegin', ctx, () => this.strategy.onEpochBegin?.(ctx));
    for (const o of this.post) await this.guard(o.name, 'onEpochBegin', ctx, () => o.onEpochBegin?.(ctx));
  }

  chooseForwardMode(ctx: StrategyContext): ForwardMode {
    return this.guardSync(this.plugin, 'chooseForwardMode', ctx, () => this.strategy.chooseForwardMode?.(ctx)) ?? REGULAR;
  }

  /** Runs inside the gradient scope; the strategy's loss replaces the base loss. */
  wrapLoss(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    const s = this.strategy;
    if (!s.wrapLoss) return input.baseLoss;
    return this.guardSync(this.plugin, 'wrapLoss', ctx, () => s.wrapLoss!(input, ctx));
  }

  async onAfterBackward(grads: GradientsByGroup, ctx: StepContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onAfterBackward', ctx, () => o.onAfterBackward?.(grads, ctx));
    await this.guard(this.plugin, 'onAfterBackward', ctx, () => this.strategy.onAfterBackward?.(grads, ctx));
    for (const o of this.post) await this.guard(o.name, 'onAfterBackward', ctx, () => o.onAfterBackward?.(grads, ctx));
  }

  /** The strategy's mask; a group the model does not have is a strategy bug, not something to skip silently. */
  updateMask(ctx: StepContext, modelGroups: ReadonlySet<ParamGroupId>): ReadonlySet<ParamGroupId> | undefined {
    return this.guardSync(this.plugin, 'updateMask', ctx, () => {
      const mask = this.strategy.updateMask?.(ctx);
      const unknown = mask ? [...mask].filter((g) => !modelGroups.has(g)) : [];
      if (unknown.length > 0) {
        throw new Error(`the mask names parameter groups ${unknown.join(', ')}, but the model has only ${[...modelGroups].join(', ')}`);
      }
      return mask;
    });
  }

  async onEpochEnd(ctx: StrategyContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onEpochEnd', ctx, () => o.onEpochEnd?.(ctx));
    await this.guard(this.plugin, 'onEpochEnd', ctx, () => this.strategy.onEpochEnd?.(ctx));
    for (const o of this.post) await this.guard(o.name, 'onEpochEnd', ctx, () => o.onEpochEnd?.(ctx));
  }

  private async guard(plugin: string, hook: StrategyHook, ctx: StrategyContext, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (err) {
      throw hookError(plugin, hook, ctx, err);
    }
  }

  private guardSync<T>(plugin: string, hook: StrategyHook, ctx: StrategyContext, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw hookError(plugin, hook, ctx, err);
    }
  }
}

function hookError(plugin: string, hook: StrategyHook, ctx: StrategyContext, err: unknown): UngreedyError {
  const reason = err instanceof Error ? err.message : String(err);
  return new UngreedyError(
    'UNG_ERR_HOOK_FAILED',
    `hook "${hook}" of "${plugin}" should complete, but it threw at epoch ${ctx.epoch}, step ${ctx.step}: ${reason}. ` +
      'Fix the strategy, or report it to its authors.',
    { plugin, hook, epoch: ctx.epoch, step: ctx.step },
    { cause: err },
  );
}
