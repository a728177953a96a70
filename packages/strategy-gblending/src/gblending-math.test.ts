// Faithfulness of Gradient-Blending's weights (docs/gblending.md) on hand-computed loss curves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blendWeights, MIN_DELTA_O_SQUARED, ogr, uniformWeights } from './gblending-math.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

test('ΔG, ΔO and OGR of one output', () => {
  // O(N) = 1.2 − 1.0 = 0.2, O(N + n) = 1.0 − 0.6 = 0.4 → ΔO = 0.2; ΔG = 1.2 − 1.0 = 0.2; OGR = 1.
  const r = ogr({ train: 1.0, val: 1.2 }, { train: 0.6, val: 1.0 });
  close(r.dG, 0.2, 'ΔG');
  close(r.dO, 0.2, 'ΔO');
  close(r.ogr, 1, 'OGR');
});

test('weights ∝ ΔG / ΔO², normalised to sum 1', () => {
  // head 0: ΔG = 0.2, ΔO = 0.4 − 0.2 = 0.2 → 0.2 / 0.04 = 5
  // head 1: ΔG = 0.1, ΔO = 0.6 − 0.2 = 0.4 → 0.1 / 0.16 = 0.625
  // fused:  ΔG = 0.3, ΔO = 0.3 − 0.2 = 0.1 → 0.3 / 0.01 = 30
  // Z = 35.625 → w = (8, 1, 48) / 57.
  const before = [{ train: 1.0, val: 1.2 }, { train: 0.8, val: 1.0 }, { train: 0.9, val: 1.1 }];
  const after = [{ train: 0.6, val: 1.0 }, { train: 0.3, val: 0.9 }, { train: 0.5, val: 0.8 }];
  const w = blendWeights(before, after)!;
  close(w[0]!, 8 / 57, 'w_0');
  close(w[1]!, 1 / 57, 'w_1');
  close(w[2]!, 48 / 57, 'w_fused');
  // The output that overfits most per unit of generalisation (head 1, OGR 4) gets the least weight.
  assert.deepEqual(after.map((a, j) => Math.round(ogr(before[j]!, a).ogr * 1e9) / 1e9), [1, 4, 0.333333333]);
});

test('an output whose held-out loss rose gets weight 0; none generalising gives null', () => {
  // head 1's val loss rose 1.0 → 1.1 (ΔG = −0.1): weight 0; head 0 takes everything.
  const w = blendWeights([{ train: 1, val: 1.2 }, { train: 1, val: 1.0 }], [{ train: 0.6, val: 1.0 }, { train: 0.5, val: 1.1 }])!;
  assert.deepEqual(w, [1, 0]);
  assert.equal(blendWeights([{ train: 1, val: 1 }], [{ train: 0.5, val: 1.1 }]), null);
  assert.equal(blendWeights([{ train: 1, val: 1 }], [{ train: Number.NaN, val: 0.5 }]), null);
  assert.throws(() => blendWeights([{ train: 1, val: 1 }], []), RangeError);
});

test('ΔO² is floored so a gap that did not move gives a finite, dominant weight', () => {
  // head 0: ΔG = 0.1, ΔO = 0 → 0.1 / 1e-8 = 1e7; head 1: ΔG = 0.1, ΔO = 0.1 → 10.
  const w = blendWeights([{ train: 1, val: 1.1 }, { train: 1, val: 1.1 }], [{ train: 0.9, val: 1.0 }, { train: 0.8, val: 1.0 }])!;
  const a = 0.1 / MIN_DELTA_O_SQUARED;
  const b = 0.1 / 0.01;
  assert.ok(Math.abs(w[0]! - a / (a + b)) < 1e-9 && Math.abs(w[1]! - b / (a + b)) < 1e-9, String(w));
});

test('uniform weights before the first estimate', () => {
  assert.deepEqual(uniformWeights(3), [1 / 3, 1 / 3, 1 / 3]);
});
