import type { GradientsByGroup, GroupNorm, StepContext } from '../contract/strategy/balancing-strategy.js';
import type { ParamGroupId } from '../contract/model/param-group.js';
import type { StepRecord } from '../engine/run/metric-records.js';
import type { HookObserver } from '../engine/trainer/hook-runner.js';
import { modeKey } from './strategy-context.js';

// Observers for `trainTiny({ observers })` that record what a strategy's training test asserts on: which groups an
// optimizer step moved, the weights after an update, and a strategy metric step by step.

/** One optimizer step as {@link weightNormRecorder} saw it: its forward mode and each group's squared weight norm. */
export interface StepWeights {
  readonly mode: string;
  readonly weights: ReadonlyMap<ParamGroupId, number>;
}

/**
 * Each group's squared weight norm seen at every step's backward, before the optimizer step: a group the previous
 * step did not update keeps its exact norm, so comparing consecutive entries says which groups a step moved.
 */
export function weightNormRecorder(): { readonly seen: StepWeights[]; readonly observer: HookObserver } {
  const seen: StepWeights[] = [];
  const observer: HookObserver = {
    name: 'weight-norm-recorder',
    order: 'post',
    onAfterBackward(_grads: GradientsByGroup, ctx: StepContext) {
      const weights = new Map<ParamGroupId, number>();
      for (const [g, n] of ctx.groupNorms as ReadonlyMap<ParamGroupId, GroupNorm>) weights.set(g, n.weightSq);
      seen.push({ mode: modeKey(ctx.mode), weights });
    },
  };
  return { seen, observer };
}

/**
 * A copy of every parameter's weight (keyed `<group>|<name>`, of the groups `keep` accepts) at step `step`'s
 * backward: the weights after the updates of the steps before it (step 1: after the first update).
 */
export function weightsAtStep(
  step: number,
  keep: (group: ParamGroupId) => boolean = () => true,
): { readonly seen: Map<string, Float32Array>; readonly observer: HookObserver } {
  const seen = new Map<string, Float32Array>();
  const observer: HookObserver = {
    name: 'weights-at-step',
    order: 'post',
    onAfterBackward(grads: GradientsByGroup, ctx: StepContext) {
      if (ctx.step !== step) return;
      for (const [group, ps] of grads) if (keep(group)) for (const p of ps) seen.set(`${group}|${p.name}`, p.weight.dataSync().slice() as Float32Array);
    },
  };
  return { seen, observer };
}

/**
 * The value of strategy metric `name` (as the strategy recorded it; core prefixes `<namespace>/<id>/`) in each step
 * record, undefined where the step did not record it.
 */
export function stepMetric(steps: readonly StepRecord[], name: string): (number | undefined)[] {
  return steps.map((s) => {
    const values = s.strategy ?? {};
    const key = Object.keys(values).find((k) => k.split('/').slice(2).join('/') === name);
    return key === undefined ? undefined : values[key];
  });
}
