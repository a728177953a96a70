import type * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import { REGULAR, type ForwardMode } from '../../contract/model/fusion-block.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import type {
  BalancingStrategy,
  BalancingStrategyHooks,
  EpochContext,
  FuseContext,
  GradientsByGroup,
  LossInput,
  StepContext,
  StrategyContext,
  ValidationResult,
} from '../../contract/strategy/balancing-strategy.js';
import type { HookName } from '../../contract/strategy/hooks.js';

/** Hook names of the strategy surface; the runner's methods are exactly these (STYLE.md H11). */
type StrategyHook = keyof BalancingStrategyHooks & HookName;

/**
 * A built-in observer (probe, checkpointing, a test recorder) that sees the same observe hooks as the strategy,
 * before it (`pre`) or after it (`post`). Observers never decide; the strategy is the run's only decider.
 */
export interface HookObserver
  extends Pick<BalancingStrategyHooks, 'onEpochBegin' | 'onAfterBackward' | 'onEpochEnd' | 'onValidationEnd'> {
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

  /** Whether the strategy implements `hook` (the trainer skips work a missing hook would not use). */
  has(hook: StrategyHook): boolean {
    return typeof this.strategy[hook] === 'function';
  }

  async onEpochBegin(ctx: EpochContext): Promise<void> {
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

  /** Runs inside the gradient scope after wrapLoss; the extra losses by name (empty without the hook). */
  lossTerms(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): Record<string, tf.Scalar> {
    const s = this.strategy;
    if (!s.lossTerms) return {};
    return this.guardSync(this.plugin, 'lossTerms', ctx, () => {
      const terms = s.lossTerms!(input, ctx);
      for (const [name, t] of Object.entries(terms)) {
        if (!(t instanceof Object) || (t as tf.Tensor).rank !== 0) {
          throw new Error(`lossTerms must return scalar tensors, but term "${name}" is not one`);
        }
      }
      return terms;
    });
  }

  async onAfterBackward(grads: GradientsByGroup, ctx: StepContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onAfterBackward', ctx, () => o.onAfterBackward?.(grads, ctx));
    await this.guard(this.plugin, 'onAfterBackward', ctx, () => this.strategy.onAfterBackward?.(grads, ctx));
    for (const o of this.post) await this.guard(o.name, 'onAfterBackward', ctx, () => o.onAfterBackward?.(grads, ctx));
  }

  /**
   * The gradients the optimizer uses: the strategy's result, checked against the input (every group and
   * parameter it returns must exist with the same shape), or `grads` itself without the hook.
   */
  transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
    const s = this.strategy;
    if (!s.transformGradients) return grads;
    return this.guardSync(this.plugin, 'transformGradients', ctx, () => {
      const out = s.transformGradients!(grads, ctx);
      if (!(out instanceof Map)) throw new Error('transformGradients must return a Map of parameter groups');
      for (const [group, list] of out as GradientsByGroup) {
        const known = grads.get(group);
        if (!known) throw new Error(`transformGradients returned group "${group}", which has no gradients this step`);
        for (const p of list) {
          const orig = known.find((q) => q.name === p.name);
          if (!orig) throw new Error(`transformGradients returned parameter "${p.name}", which is not in group "${group}"`);
          const shape = p.grad?.shape;
          if (!shape || shape.length !== orig.shape.length || shape.some((d, i) => d !== orig.shape[i])) {
            throw new Error(
              `transformGradients returned a gradient of shape [${shape?.join(', ') ?? ''}] for "${p.name}", but the parameter has shape [${orig.shape.join(', ')}]`,
            );
          }
        }
      }
      return out;
    });
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

  async onEpochEnd(ctx: EpochContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onEpochEnd', ctx, () => o.onEpochEnd?.(ctx));
    await this.guard(this.plugin, 'onEpochEnd', ctx, () => this.strategy.onEpochEnd?.(ctx));
    for (const o of this.post) await this.guard(o.name, 'onEpochEnd', ctx, () => o.onEpochEnd?.(ctx));
  }

  async onValidationEnd(result: ValidationResult, ctx: StrategyContext): Promise<void> {
    for (const o of this.pre) await this.guard(o.name, 'onValidationEnd', ctx, () => o.onValidationEnd?.(result, ctx));
    await this.guard(this.plugin, 'onValidationEnd', ctx, () => this.strategy.onValidationEnd?.(result, ctx));
    for (const o of this.post) await this.guard(o.name, 'onValidationEnd', ctx, () => o.onValidationEnd?.(result, ctx));
  }

  /**
   * The strategy's fused logits, or undefined without the hook (the model's own fused output stays).
   * Called inside the caller's tidy scope; a result that is not [B, classes] is a strategy bug.
   */
  fuseLogits(heads: readonly tf.Tensor2D[], ctx: FuseContext, at: StrategyContext): tf.Tensor2D | undefined {
    const s = this.strategy;
    if (!s.fuseLogits) return undefined;
    return this.guardSync(this.plugin, 'fuseLogits', at, () => {
      const out = s.fuseLogits!(heads, ctx);
      const want = heads[0]!.shape;
      if (out?.rank !== 2 || out.shape[0] !== want[0] || out.shape[1] !== want[1]) {
        throw new Error(`fuseLogits must return logits of shape [${want.join(', ')}], but got [${out?.shape?.join(', ') ?? ''}]`);
      }
      return out;
    });
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
