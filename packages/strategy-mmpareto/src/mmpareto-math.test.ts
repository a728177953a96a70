// Faithfulness of MMPareto's combination (docs/mmpareto.md) on hand-computed gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, magnitudeFactor, minNormWeights, pairOf, paretoWeights } from './mmpareto-math.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

test('MGDA for two conflicting gradients: g_m = (1, 0), g_u = (−1, 1)', () => {
  // ‖g_m‖² = 1, ⟨g_m, g_u⟩ = −1, ‖g_u‖² = 2 → cos = −1/√2 (conflict).
  // α_m = (2 − (−1)) / (1 + 2 + 2) = 3/5, α_u = 2/5; h/2 = 0.6 (1, 0) + 0.4 (−1, 1) = (0.2, 0.4).
  const p = pairOf([1, 0], [-1, 1]);
  assert.deepEqual(p, { mm: 1, mu: -1, uu: 2 });
  close(cosine(p), -1 / Math.SQRT2, 'cos');
  const { weights, conflict } = paretoWeights(p);
  assert.equal(conflict, true);
  close(weights[0], 0.6, 'α_m');
  close(weights[1], 0.4, 'α_u');
  // The min-norm point descends both losses equally: ⟨d, g_m⟩ = ⟨d, g_u⟩ = 0.2 > 0.
  const d = [0.6 * 1 + 0.4 * -1, 0.6 * 0 + 0.4 * 1];
  close(d[0]! * 1 + d[1]! * 0, 0.2, '⟨d, g_m⟩');
  close(d[0]! * -1 + d[1]! * 1, 0.2, '⟨d, g_u⟩');
  // And no other α on the segment is shorter.
  const norm2 = (a: number) => (a - (1 - a)) ** 2 + (1 - a) ** 2;
  for (let a = 0; a <= 1; a += 0.01) assert.ok(norm2(a) >= norm2(0.6) - 1e-12);
});

test('agreeing gradients keep equal weights ½, ½ (no Pareto step)', () => {
  const r = paretoWeights(pairOf([1, 2], [3, 1]));
  assert.equal(r.conflict, false);
  assert.deepEqual(r.weights, [0.5, 0.5]);
  close(r.cos, 5 / (Math.sqrt(5) * Math.sqrt(10)), 'cos');
});

test('MGDA clips at the ends of the segment and handles equal gradients', () => {
  // g_u = 2 g_m: ⟨g_u − g_m, g_u⟩ / ‖g_m − g_u‖² = (4 − 2) / 1 = 2 → clipped to α_m = 1 (the shorter one).
  assert.deepEqual(minNormWeights(pairOf([1, 0], [2, 0])), [1, 0]);
  assert.deepEqual(minNormWeights(pairOf([2, 0], [1, 0])), [0, 1]);
  assert.deepEqual(minNormWeights(pairOf([1, 1], [1, 1])), [0.5, 0.5]);
  // Orthogonal (cos = 0) counts as a conflict: α_m = ‖g_u‖² / (‖g_m‖² + ‖g_u‖²) = 4 / 5.
  const r = paretoWeights(pairOf([1, 0], [0, 2]));
  assert.equal(r.conflict, true);
  close(r.weights[0], 0.8, 'α_m orthogonal');
});

test('magnitude rule: h = 2(α_m g_m + α_u g_u) stretched to ‖g_m + g_u‖, times γ', () => {
  // From the conflict above: h = 2 (0.2, 0.4) = (0.4, 0.8), ‖h‖ = √0.8; g_m + g_u = (0, 1), ‖·‖ = 1.
  // 1 / √0.8 > 1 → factor γ / √0.8; with γ = 1.5 the final gradient is (0.4, 0.8) · 1.5 / √0.8, of norm 1.5.
  const f = magnitudeFactor(1, Math.sqrt(0.8), 1.5);
  close(f, 1.5 / Math.sqrt(0.8), 'factor');
  close(Math.hypot(0.4 * f, 0.8 * f), 1.5, '‖g\'‖');
  // A combination already longer than the sum is only multiplied by γ.
  assert.equal(magnitudeFactor(1, 2, 1.5), 1.5);
  // Agreeing gradients: h = g_m + g_u exactly, so the factor is γ.
  assert.equal(magnitudeFactor(Math.sqrt(5), Math.sqrt(5), 1.5), 1.5);
  assert.equal(magnitudeFactor(1, 0, 1.5), 1.5);
});
