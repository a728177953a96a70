import { tf } from '@ungreedy/core';

/** A coalition of modalities as a bit set: bit m is set when modality m is present (not masked). */
export type Coalition = number;

/** The smallest true-class probability a score counts (the reference clamps log p at log 1e-8). */
export const MIN_PROBABILITY = 1e-8;

/**
 * Shapley weight of a coalition of `size` other modalities out of `numModalities`: |S|! (M − |S| − 1)! / M!.
 * docs/agm.md, "Mono-modal responses".
 */
export function shapleyWeight(size: number, numModalities: number): number {
  return (factorial(size) * factorial(numModalities - size - 1)) / factorial(numModalities);
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i += 1) f *= i;
  return f;
}

/** Every non-empty coalition other than the full one: the masked forward passes AGM needs (2^M − 2 of them). */
export function maskedCoalitions(numModalities: number): Coalition[] {
  const full = (1 << numModalities) - 1;
  const out: Coalition[] = [];
  for (let s = 1; s < full; s += 1) out.push(s);
  return out;
}

/** The modalities a coalition leaves out: what `forwardMasked` masks to obtain f(S). */
export function maskedModalities(coalition: Coalition, numModalities: number): number[] {
  const masked: number[] = [];
  for (let m = 0; m < numModalities; m += 1) if ((coalition & (1 << m)) === 0) masked.push(m);
  return masked;
}

/**
 * Mono-modal responses o^m = Σ_{S ⊆ M∖{m}} w(|S|) (f(S ∪ {m}) − f(S)), with f(∅) = 0 as in the paper's code
 * (the all-masked output is not subtracted). `outputs(S)` is the fused output with only the modalities of S
 * present, [B, C]; the full coalition is the regular forward. Returns one [B, C] tensor per modality.
 * For M = 2: o^0 = ½ (f({0,1}) − f({1}) + f({0})).
 */
export function monoModalResponses(outputs: (coalition: Coalition) => tf.Tensor2D, numModalities: number): tf.Tensor2D[] {
  return tf.tidy(() => {
    const responses: tf.Tensor2D[] = [];
    for (let m = 0; m < numModalities; m += 1) {
      const bit = 1 << m;
      let sum: tf.Tensor2D | null = null;
      for (let s = 0; s < 1 << numModalities; s += 1) {
        if ((s & bit) !== 0) continue;
        const w = shapleyWeight(popcount(s), numModalities);
        const withM = outputs(s | bit);
        const term = (s === 0 ? tf.mul(withM, w) : tf.mul(tf.sub(withM, outputs(s)), w)) as tf.Tensor2D;
        sum = sum === null ? term : (tf.add(sum, term) as tf.Tensor2D);
      }
      responses.push(sum!);
    }
    return responses;
  });
}

function popcount(s: number): number {
  let n = 0;
  for (let x = s; x !== 0; x &= x - 1) n += 1;
  return n;
}

/**
 * A modality's score on a batch: the mean over samples of −log p(y | o^m), with p clamped at 1e-8 (the paper's
 * code). Lower is better: it is the cross-entropy of the mono-modal response.
 */
export function responseScore(response: tf.Tensor2D, oneHot: tf.Tensor2D): number {
  return tf.tidy(() => {
    const pTrue = tf.sum(tf.mul(tf.softmax(response), oneHot), 1);
    return tf.mean(tf.neg(tf.log(tf.maximum(pTrue, MIN_PROBABILITY)))).dataSync()[0]!;
  });
}

/**
 * Discrepancy ratios r_m = exp(M / (M − 1) · (s̄ − s_m)), s̄ the mean score over modalities: above 1 for a
 * modality that does better than the average (lower loss). For M = 2, r_0 = exp(s_1 − s_0).
 */
export function discrepancyRatios(scores: readonly number[]): number[] {
  const m = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / m;
  return scores.map((s) => Math.exp((m / (m - 1)) * (mean - s)));
}

export interface AgmCoefficients {
  /** r_m of this batch's scores. */
  readonly ratios: number[];
  /** η_m, the same ratio of the running-average scores (the target). */
  readonly targets: number[];
  /** κ_m = exp(α · min(η_m − r_m, clip)). */
  readonly coefficients: number[];
}

/**
 * AGM's modulation coefficients: κ_m = exp(α · min(η_m − r_m, clip)), where r are the discrepancy ratios of this
 * batch's scores and η those of the running-average scores. A modality that is ahead of where its average says
 * (r_m > η_m) is slowed down (κ_m < 1), one that lags is sped up. docs/agm.md, "Coefficients".
 */
export function agmCoefficients(scores: readonly number[], averages: readonly number[], alpha: number, clip: number): AgmCoefficients {
  const ratios = discrepancyRatios(scores);
  const targets = discrepancyRatios(averages);
  const coefficients = ratios.map((r, m) => Math.exp(alpha * Math.min(targets[m]! - r, clip)));
  return { ratios, targets, coefficients };
}

/**
 * The running average of the scores after `count` previous updates: the paper's cumulative mean
 * ŝ_t = ŝ_{t−1} (t − 1) / t + s_t / t when `momentum` is null, else the exponential average
 * ŝ_t = momentum · ŝ_{t−1} + (1 − momentum) · s_t (the first update takes s_1 either way).
 */
export function updateAverages(averages: readonly number[], scores: readonly number[], count: number, momentum: number | null): number[] {
  const t = count + 1;
  return scores.map((s, m) => {
    const prev = averages[m]!;
    if (count === 0) return s;
    return momentum === null ? (prev * (t - 1)) / t + s / t : momentum * prev + (1 - momentum) * s;
  });
}
