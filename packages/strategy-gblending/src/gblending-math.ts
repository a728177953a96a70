// The numbers of Gradient-Blending (Wang, Tran, Feiszli, CVPR 2020, §3.2-3.3 and Algorithms 1-2), as pure
// functions of loss values so that the faithfulness test can check them by hand. docs/gblending.md states them.

/** One output's losses at one checkpoint: on the training split (L^T) and on the held-out split (L^V). */
export interface LossPoint {
  readonly train: number;
  readonly val: number;
}

/** ΔG, ΔO and the overfitting-to-generalisation ratio of one output between two checkpoints. */
export interface Ogr {
  /** ΔG = L^V(N) − L^V(N + n): how much the held-out loss fell. */
  readonly dG: number;
  /** ΔO = O(N + n) − O(N), O = L^V − L^T: how much the train/held-out gap grew. */
  readonly dO: number;
  /** |ΔO / ΔG| (Infinity when ΔG = 0). */
  readonly ogr: number;
}

/** Floor of ΔO² in {@link blendWeights}, so an output whose gap did not move gets a large but finite weight. */
export const MIN_DELTA_O_SQUARED = 1e-8;

/**
 * ΔG, ΔO and OGR of one output from its losses at checkpoints N (`before`) and N + n (`after`).
 *
 * @example ogr({ train: 1.0, val: 1.2 }, { train: 0.6, val: 1.0 }) // { dG: 0.2, dO: 0.2, ogr: 1 }
 */
export function ogr(before: LossPoint, after: LossPoint): Ogr {
  const dG = before.val - after.val;
  const dO = after.val - after.train - (before.val - before.train);
  return { dG, dO, ogr: Math.abs(dO / dG) };
}

/**
 * The blended weights w_j ∝ ΔG_j / ΔO_j² (the paper's optimum of OGR² under Σ w = 1, with ⟨∇L*, v_j⟩ estimated
 * by ΔG_j and σ_j² by ΔO_j²), normalised to Σ w = 1. An output whose held-out loss did not fall (ΔG ≤ 0) gets
 * weight 0; ΔO² is floored at {@link MIN_DELTA_O_SQUARED}. Returns null when no output generalised (every ΔG ≤ 0
 * or a loss is not finite): the caller keeps its weights.
 */
export function blendWeights(before: readonly LossPoint[], after: readonly LossPoint[]): number[] | null {
  if (before.length !== after.length || before.length === 0) {
    throw new RangeError(`blendWeights needs the same non-zero number of outputs at both checkpoints, but got ${before.length} and ${after.length}`);
  }
  const raw = before.map((b, j) => {
    const { dG, dO } = ogr(b, after[j]!);
    if (!Number.isFinite(dG) || !Number.isFinite(dO)) return Number.NaN;
    return dG > 0 ? dG / Math.max(dO * dO, MIN_DELTA_O_SQUARED) : 0;
  });
  if (raw.some((r) => !Number.isFinite(r))) return null;
  const z = raw.reduce((a, b) => a + b, 0);
  if (!(z > 0)) return null;
  return raw.map((r) => r / z);
}

/** Equal weights 1/J for J outputs: the blend before the first estimate. */
export function uniformWeights(count: number): number[] {
  return Array.from({ length: count }, () => 1 / count);
}
