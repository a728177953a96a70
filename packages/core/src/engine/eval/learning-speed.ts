import type { GroupNorm, LearningSpeed } from '../../contract/strategy/balancing-strategy.js';
import { bypassGroups, mainGroups, type ParamGroupId } from '../../contract/model/param-group.js';
import type { JsonObject } from '../../contract/util/json.js';

/**
 * μ(G) = Σ_{p∈G} ||∇p||² / Σ_{p∈G} ||p||² for the union G of `groups` (docs/method.md#learning-speed): a ratio of group sums, not a
 * sum of per-tensor ratios. Groups absent from `norms` contribute nothing; an empty union gives 0.
 */
export function groupRatio(norms: ReadonlyMap<ParamGroupId, GroupNorm>, groups: readonly ParamGroupId[]): number {
  let g = 0;
  let w = 0;
  for (const id of groups) {
    const n = norms.get(id);
    if (!n) continue;
    g += n.gradSq;
    w += n.weightSq;
  }
  return w > 0 ? g / w : 0;
}

/** Difference of the extremes: v_0 − v_1 for two entries, max − min for more (spec: d_speed and d_util for N > 2). */
export function spread(values: readonly number[]): number {
  if (values.length < 2 || values.some((v) => !Number.isFinite(v))) return Number.NaN;
  if (values.length === 2) return values[0]! - values[1]!;
  return Math.max(...values) - Math.min(...values);
}

/**
 * Conditional learning speed (docs/method.md#learning-speed), fed once per training step with the per-group sums of squares taken
 * after backward and before the optimizer step. Totals are cumulative from the first step, never reset, and only
 * counted steps (regular ones) add to them. s_k = log_base(Σμ(θ'_k) / Σμ(θ_k)); d_speed = s_0 − s_1.
 *
 * @example
 * const probe = new LearningSpeedProbe(2, 10);
 * const speed = probe.update(norms, true); // speed.dSpeed is what `guided` compares with ε
 */
export class LearningSpeedProbe {
  private main: number[];
  private bypass: number[];

  constructor(
    readonly numModalities: number,
    readonly logBase: number,
  ) {
    this.main = new Array<number>(numModalities).fill(0);
    this.bypass = new Array<number>(numModalities).fill(0);
  }

  update(norms: ReadonlyMap<ParamGroupId, GroupNorm>, counted: boolean): LearningSpeed {
    const stepMain: number[] = [];
    const stepBypass: number[] = [];
    for (let k = 0; k < this.numModalities; k++) {
      stepMain.push(groupRatio(norms, mainGroups(k)));
      stepBypass.push(groupRatio(norms, bypassGroups(k)));
    }
    if (counted) {
      for (let k = 0; k < this.numModalities; k++) {
        this.main[k]! += stepMain[k]!;
        this.bypass[k]! += stepBypass[k]!;
      }
    }
    return this.snapshot({ main: stepMain, bypass: stepBypass }, counted);
  }

  /** The current totals as a `LearningSpeed`, with this step's μ given. */
  snapshot(step: { main: number[]; bypass: number[] }, counted: boolean): LearningSpeed {
    const s = this.main.map((m, k) => {
      const b = this.bypass[k]!;
      return m > 0 && b > 0 ? Math.log(b / m) / Math.log(this.logBase) : Number.NaN;
    });
    return {
      step,
      total: { main: [...this.main], bypass: [...this.bypass] },
      counted,
      s,
      dSpeed: spread(s),
    };
  }

  stateDict(): JsonObject {
    return { main: [...this.main], bypass: [...this.bypass] };
  }

  loadStateDict(state: JsonObject): void {
    this.main = [...(state['main'] as number[])];
    this.bypass = [...(state['bypass'] as number[])];
  }
}
