// Faithfulness of OGM-GE's numbers (docs/ogm-ge.md): s_k, ρ_k and k on hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discrepancyRatios, modulation, modulationCoefficient, sampleStd, trueClassScore } from './ogm-ge-math.js';

// The heads' probabilities arrive as float32, so values built from them are compared to 1e-6.
const close = (actual: number, expected: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${what}: ${actual} vs ${expected}`);

// Two samples, two classes, labels [0, 1].
// head 0: p = [[0.9, 0.1], [0.3, 0.7]] → s_0 = 0.9 + 0.7 = 1.6
// head 1: p = [[0.6, 0.4], [0.8, 0.2]] → s_1 = 0.6 + 0.2 = 0.8
const labels = new Int32Array([0, 1]);
const head0 = new Float32Array([0.9, 0.1, 0.3, 0.7]);
const head1 = new Float32Array([0.6, 0.4, 0.8, 0.2]);

test('s_k sums the true-class probability over the batch', () => {
  close(trueClassScore(head0, labels, 2), 1.6, 's_0', 1e-6);
  close(trueClassScore(head1, labels, 2), 0.8, 's_1', 1e-6);
  // Three classes: p = [[0.2, 0.5, 0.3]], label 2 → 0.3.
  close(trueClassScore([0.2, 0.5, 0.3], [2], 3), 0.3, 's, 3 classes');
});

test('ρ: s_0 / s_1 and its inverse for two modalities; s_k over the mean of the others for three', () => {
  const [r0, r1] = discrepancyRatios([1.6, 0.8]);
  close(r0!, 2, 'ρ_0');
  close(r1!, 0.5, 'ρ_1');
  // s = [1.2, 0.6, 0.6]: ρ_0 = 1.2 / 0.6 = 2, ρ_1 = 0.6 / ((1.2 + 0.6) / 2) = 2/3.
  const r = discrepancyRatios([1.2, 0.6, 0.6]);
  close(r[0]!, 2, 'ρ_0 of 3');
  close(r[1]!, 2 / 3, 'ρ_1 of 3');
  close(r[2]!, 2 / 3, 'ρ_2 of 3');
});

test('k = 1 − tanh(α(ρ − 1)) above ρ = 1, 1 − tanh(αρ) with the paper\'s Eq. 10, and 1 otherwise', () => {
  // α = 0.5, ρ = 2: tanh(0.5) = 0.46211715726000974, tanh(1) = 0.7615941559557649.
  close(modulationCoefficient(2, 0.5), 1 - 0.46211715726000974, 'shifted');
  close(modulationCoefficient(2, 0.5, 'eq10'), 1 - 0.7615941559557649, 'eq10');
  assert.equal(modulationCoefficient(0.5, 0.5), 1);
  assert.equal(modulationCoefficient(1, 0.5), 1);
  assert.equal(modulationCoefficient(0.5, 0.5, 'eq10'), 1);
  assert.equal(modulationCoefficient(Number.NaN, 0.5), 1);
  assert.equal(modulationCoefficient(3, 0), 1, 'α = 0 turns OGM off');
  // ρ → ∞ (the others are never right): the dominant encoder stops learning.
  assert.equal(modulationCoefficient(Number.POSITIVE_INFINITY, 0.5), 0);
  // The shifted rule is continuous at ρ = 1; Eq. 10 jumps from 1 to 1 − tanh(α).
  assert.ok(1 - modulationCoefficient(1 + 1e-9, 0.5) < 1e-8);
  close(modulationCoefficient(1 + 1e-12, 0.5, 'eq10'), 1 - Math.tanh(0.5), 'eq10 just above 1');
});

test('one step: only the dominant modality gets k < 1', () => {
  const m = modulation([head0, head1], labels, 2, 0.5);
  assert.deepEqual(m.scores.map((s) => Math.round(s * 1e6) / 1e6), [1.6, 0.8]);
  close(m.rho[0]!, 2, 'ρ_0', 1e-6);
  close(m.coeff[0]!, 1 - Math.tanh(0.5), 'k_0', 1e-6);
  assert.equal(m.coeff[1], 1);
  // Swap the heads: modality 1 dominates.
  const swapped = modulation([head1, head0], labels, 2, 0.5);
  assert.equal(swapped.coeff[0], 1);
  close(swapped.coeff[1]!, 1 - Math.tanh(0.5), 'k_1', 1e-6);
});

test('GE scale: the sample standard deviation (n − 1)', () => {
  // [1, 2, 3, 4]: mean 2.5, Σ(x − m)² = 5, / 3 → √(5/3).
  close(sampleStd([1, 2, 3, 4]), Math.sqrt(5 / 3), 'std');
  assert.equal(sampleStd([7]), 0);
});
