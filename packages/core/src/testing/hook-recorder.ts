import { HOOKS } from '../contract/strategy/hooks.js';
import type { HookName } from '../contract/strategy/hooks.js';
import type { BalancingStrategy, StepContext, StrategyContext } from '../contract/strategy/balancing-strategy.js';
import { REGULAR } from '../contract/model/fusion-block.js';
import { modeKey } from './strategy-context.js';

/** One recorded hook call. `mode` is the step's mode key (`regular`, `rebalance/1`) where the hook sees one. */
export interface HookCall {
  readonly hook: HookName;
  readonly epoch: number;
  readonly step: number;
  readonly mode: string | null;
  /** For chooseForwardMode and updateMask: what the strategy answered (mode key, sorted groups or null). */
  readonly result?: string | readonly string[] | null;
}

/**
 * Records every hook call a strategy receives, with its arguments' epoch, step and mode (Lightning's
 * `test_hooks.py`). `wrap` returns a strategy that defines every hook, forwards to the inner one where it has
 * the hook, and answers with the trainer's default where it has not, so wrapping never changes a run.
 *
 * @example
 * const rec = new HookRecorder();
 * const contribution = { meta: guided.meta, create: async (o, c) => rec.wrap(await guided.create(o, c)) };
 * // ...train...
 * assert.deepEqual(rec.orderProblems(), []);
 */
export class HookRecorder {
  readonly calls: HookCall[] = [];
  /** fuseLogits calls by phase (`train`, `val`, `test`, `other`). */
  readonly fuseCalls: Record<string, number> = {};

  wrap(inner: BalancingStrategy): BalancingStrategy {
    const push = (hook: HookName, ctx: StrategyContext, mode: string | null, result?: HookCall['result']): void => {
      this.calls.push(result === undefined ? { hook, epoch: ctx.epoch, step: ctx.step, mode } : { hook, epoch: ctx.epoch, step: ctx.step, mode, result });
    };
    const wrapped: BalancingStrategy = {
      evaluationMode: inner.evaluationMode,
      onEpochBegin: async (ctx) => {
        push('onEpochBegin', ctx, null);
        await inner.onEpochBegin?.(ctx);
      },
      chooseForwardMode: (ctx) => {
        const mode = inner.chooseForwardMode?.(ctx) ?? REGULAR;
        push('chooseForwardMode', ctx, null, modeKey(mode));
        return mode;
      },
      wrapLoss: (input, ctx) => {
        push('wrapLoss', ctx, modeKey(ctx.mode));
        return inner.wrapLoss ? inner.wrapLoss(input, ctx) : input.baseLoss;
      },
      onAfterBackward: async (grads, ctx: StepContext) => {
        push('onAfterBackward', ctx, modeKey(ctx.mode));
        await inner.onAfterBackward?.(grads, ctx);
      },
      updateMask: (ctx) => {
        const mask = inner.updateMask?.(ctx);
        push('updateMask', ctx, modeKey(ctx.mode), mask ? [...mask].sort() : null);
        return mask;
      },
      transformGradients: (grads, ctx) => {
        push('transformGradients', ctx, modeKey(ctx.mode));
        return inner.transformGradients ? inner.transformGradients(grads, ctx) : grads;
      },
      onEpochEnd: async (ctx) => {
        push('onEpochEnd', ctx, null);
        await inner.onEpochEnd?.(ctx);
      },
      onValidationEnd: async (result, ctx) => {
        push('onValidationEnd', ctx, null);
        await inner.onValidationEnd?.(result, ctx);
      },
    };
    // Hooks whose mere presence changes what the trainer computes are wrapped only when the strategy has them:
    // lossTerms (extra gradient passes) and fuseLogits (replaces the model's fused output; its calls are counted
    // in `fuseCalls` by phase, not in `calls`, since they are not steps).
    if (inner.lossTerms) {
      wrapped.lossTerms = (input, ctx) => {
        push('lossTerms', ctx, modeKey(ctx.mode));
        return inner.lossTerms!(input, ctx);
      };
    }
    if (inner.fuseLogits) {
      wrapped.fuseLogits = (heads, ctx) => {
        this.fuseCalls[ctx.phase] = (this.fuseCalls[ctx.phase] ?? 0) + 1;
        return inner.fuseLogits!(heads, ctx);
      };
    }
    if (inner.stateDict) wrapped.stateDict = () => inner.stateDict!();
    if (inner.loadStateDict) wrapped.loadStateDict = (s) => inner.loadStateDict!(s);
    return wrapped;
  }

  /** The recorded hook names, in order. */
  names(): HookName[] {
    return this.calls.map((c) => c.hook);
  }

  /**
   * Checks the recording against `HOOKS`: within a step the step hooks come in table order, each at most
   * once; every step lies between an onEpochBegin and an onEpochEnd of its epoch; a step's hooks see the mode
   * chooseForwardMode returned. Returns one line per violation.
   */
  orderProblems(): string[] {
    const problems: string[] = [];
    let openEpoch: number | null = null;
    let closedEpoch: number | null = null;
    let lastStep = -1;
    let lastOrder = -1;
    let chosen: string | null = null;
    for (const [i, c] of this.calls.entries()) {
      const spec = HOOKS[c.hook];
      if (c.hook === 'onEpochBegin') {
        closedEpoch = null;
        if (openEpoch !== null) problems.push(`#${i} onEpochBegin(epoch ${c.epoch}): epoch ${openEpoch} has not ended.`);
        openEpoch = c.epoch;
        continue;
      }
      if (c.hook === 'onEpochEnd') {
        if (openEpoch !== c.epoch) problems.push(`#${i} onEpochEnd(epoch ${c.epoch}): expected the open epoch ${openEpoch}.`);
        openEpoch = null;
        closedEpoch = c.epoch;
        continue;
      }
      if (c.hook === 'onValidationEnd') {
        if (closedEpoch !== c.epoch) problems.push(`#${i} onValidationEnd(epoch ${c.epoch}): not right after that epoch's onEpochEnd.`);
        closedEpoch = null;
        continue;
      }
      if (openEpoch !== c.epoch) problems.push(`#${i} ${c.hook}(step ${c.step}): outside epoch ${c.epoch}'s onEpochBegin/onEpochEnd.`);
      if (c.step !== lastStep) {
        if (c.step < lastStep) problems.push(`#${i} ${c.hook}: step ${c.step} after step ${lastStep}.`);
        lastStep = c.step;
        lastOrder = -1;
        chosen = null;
      }
      // lossTerms runs once per extra forward pass (one per term), so it may repeat within a step.
      const repeatable = c.hook === 'lossTerms' && spec.order === lastOrder;
      if (spec.order <= lastOrder && !repeatable) problems.push(`#${i} ${c.hook}(step ${c.step}): out of the HOOKS order or called twice.`);
      lastOrder = spec.order;
      if (c.hook === 'chooseForwardMode') chosen = typeof c.result === 'string' ? c.result : null;
      else if (chosen !== null && c.mode !== chosen) problems.push(`#${i} ${c.hook}(step ${c.step}): saw mode ${c.mode}, but chooseForwardMode returned ${chosen}.`);
    }
    return problems;
  }
}
