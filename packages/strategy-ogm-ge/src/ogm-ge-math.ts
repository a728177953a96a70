// The numbers of OGM-GE (Peng et al., CVPR 2022, §3.2-3.3), as pure functions of small arrays so that the
// faithfulness test can check them against hand-computed values. docs/ogm-ge.md states the equations.

/** How the coefficient k is formed from the discrepancy ratio ρ (docs/ogm-ge.md, "Coefficient rule"). */
export type CoefficientRule = 'shifted' | 'eq10';

/**
 * s_k = Σ_i softmax(head_k(x_i))[y_i]: head k's confidence on the true class, summed over the batch.
 *
 * @param probs softmax probabilities of one head, row-major [B × C]
 * @param labels the batch's labels, length B
 * @example trueClassScore(new Float32Array([0.9, 0.1, 0.3, 0.7]), new Int32Array([0, 0]), 2) // 0.9 + 0.3 = 1.2
 */
export function trueClassScore(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += probs[i * numClasses + labels[i]!]!;
  return s;
}

/**
 * ρ_k = s_k / mean_{j≠k} s_j: how much more confident modality k is than the others. For two modalities this is
 * the paper's ρ^a = s^a / s^v and ρ^v = 1 / ρ^a; for N > 2 each modality is compared with the mean of the rest.
 * A zero denominator gives +∞ (or NaN when s_k is zero as well).
 */
export function discrepancyRatios(scores: readonly number[]): number[] {
  const n = scores.length;
  const total = scores.reduce((a, b) => a + b, 0);
  return scores.map((s) => s / ((total - s) / (n - 1)));
}

/**
 * k = 1 − tanh(α·(ρ − 1)) when ρ > 1 (`shifted`: continuous at ρ = 1), or 1 − tanh(α·ρ) when ρ > 1 (`eq10`: the
 * paper's Eq. 10 and the authors' released code); 1 otherwise (and for a ρ that is not a number).
 */
export function modulationCoefficient(rho: number, alpha: number, rule: CoefficientRule = 'shifted'): number {
  if (!(rho > 1)) return 1;
  return 1 - Math.tanh(alpha * (rule === 'shifted' ? rho - 1 : rho));
}

/** Per modality: the score s_k, the ratio ρ_k and the coefficient k_k of one training step. */
export interface Modulation {
  readonly scores: number[];
  readonly rho: number[];
  readonly coeff: number[];
}

/**
 * One step's modulation from the heads' softmax outputs: s_k, ρ_k and k_k for every modality (k_k < 1 only for
 * a modality more confident than the others, the dominant one).
 */
export function modulation(
  headProbs: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  numClasses: number,
  alpha: number,
  rule: CoefficientRule = 'shifted',
): Modulation {
  const scores = headProbs.map((p) => trueClassScore(p, labels, numClasses));
  const rho = discrepancyRatios(scores);
  return { scores, rho, coeff: rho.map((r) => modulationCoefficient(r, alpha, rule)) };
}

/**
 * The sample standard deviation (n − 1 in the denominator, as `torch.Tensor.std`) of a gradient: the scale of
 * GE's noise. 0 for fewer than two elements.
 */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}
