import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import { setupTestBackend } from '@ungreedy/core/testing';
import {
  agmCoefficients,
  discrepancyRatios,
  maskedCoalitions,
  maskedModalities,
  monoModalResponses,
  responseScore,
  shapleyWeight,
  updateAverages,
} from './agm-math.js';

// Faithfulness on hand-computed numbers (docs/agm.md). Expected values were worked out by hand; the
// transcendental ones with a calculator (exp(0.4) = 1.4918247, exp(0.1·(e^0.2 − e^0.4)) = 0.9733202, ...).

before(setupTestBackend);

function close(actual: readonly number[], expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `index ${i}: expected ${expected[i]}, but got ${a} (all: ${actual.join(', ')})`));
}

test('Shapley weights: 1/2, 1/2 for two modalities; 1/3, 1/6, 1/3 for three', () => {
  close([shapleyWeight(0, 2), shapleyWeight(1, 2)], [0.5, 0.5]);
  close([shapleyWeight(0, 3), shapleyWeight(1, 3), shapleyWeight(2, 3)], [1 / 3, 1 / 6, 1 / 3]);
});

test('masked passes: every non-empty, non-full coalition, with the modalities it masks', () => {
  assert.deepEqual(maskedCoalitions(2), [0b01, 0b10]);
  assert.deepEqual(maskedCoalitions(3).length, 6);
  assert.deepEqual(maskedModalities(0b01, 2), [1]);
  assert.deepEqual(maskedModalities(0b101, 3), [1]);
});

test('mono-modal responses (M = 2): o^0 = ½(f01 − f1 + f0), o^1 = ½(f01 − f0 + f1)', () => {
  // f({0,1}) = [3, 1], f({0}) = [1, 0], f({1}) = [2, 2]  →  o^0 = [1, −0.5], o^1 = [2, 1.5].
  const f: Record<number, number[]> = { 0b11: [3, 1], 0b01: [1, 0], 0b10: [2, 2] };
  const outs = monoModalResponses((s) => tf.tensor2d([f[s]!]), 2);
  close(Array.from(outs[0]!.dataSync()), [1, -0.5]);
  close(Array.from(outs[1]!.dataSync()), [2, 1.5]);
  tf.dispose(outs);
});

test('mono-modal responses (M = 3): the explicit three-modality formula, and they sum to f(full)', () => {
  // o^0 = 1/3 (f012 − f12) + 1/6 (f01 − f1 + f02 − f2) + 1/3 f0 (the paper's code for three modalities).
  const f: Record<number, number> = { 0b111: 6, 0b011: 4, 0b101: 3, 0b110: 2, 0b001: 1, 0b010: 0.5, 0b100: -1 };
  const outs = monoModalResponses((s) => tf.tensor2d([[f[s]!]]), 3);
  const o0 = (6 - 2) / 3 + (4 - 0.5 + 3 - -1) / 6 + 1 / 3;
  close([outs[0]!.dataSync()[0]!], [o0]);
  const total = outs.reduce((a, o) => a + o.dataSync()[0]!, 0);
  close([total], [6]);
  tf.dispose(outs);
});

test('score: mean −log p(y) of the response, clamped at p = 1e-8', () => {
  const oneHot = tf.tensor2d([[1, 0], [1, 0]]);
  close([responseScore(tf.tensor2d([[0, 0], [Math.log(3), 0]]), oneHot)], [(Math.LN2 + 0.2876821) / 2]);
  close([responseScore(tf.tensor2d([[-100, 100], [-100, 100]]), oneHot)], [-Math.log(1e-8)], 1e-4);
  oneHot.dispose();
});

test('discrepancy ratios r_m = exp(M/(M−1)(s̄ − s_m)): the better modality (lower loss) above 1', () => {
  close(discrepancyRatios([0.2, 0.6]), [1.4918247, 0.6703200]);
  close(discrepancyRatios([1, 1, 1]), [1, 1, 1]);
});

test('coefficients κ_m = exp(α · min(η_m − r_m, clip)): slows the modality that runs ahead of its average', () => {
  const { ratios, targets, coefficients } = agmCoefficients([0.2, 0.6], [0.3, 0.5], 0.1, 10);
  close(ratios, [1.4918247, 0.6703200]);
  close(targets, [1.2214028, 0.8187308]);
  close(coefficients, [0.9733202, 1.0149517]);
  // The clip bounds the boost: η_1 − r_1 ≈ 1 > 0.5.
  close(agmCoefficients([0, 20], [0, 0], 1, 0.5).coefficients.slice(1), [Math.exp(0.5)]);
  // α = 0 switches the modulation off.
  close(agmCoefficients([0.2, 0.6], [0.3, 0.5], 0, 10).coefficients, [1, 1]);
});

test('running averages: the cumulative mean of the paper, or an exponential one', () => {
  close(updateAverages([0, 0], [0.6, 0.2], 0, null), [0.6, 0.2]);
  close(updateAverages([0.3, 0.5], [0.6, 0.2], 2, null), [0.4, 0.4]);
  close(updateAverages([0.3, 0.5], [0.6, 0.2], 2, 0.9), [0.33, 0.47]);
});
