import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, mean, pairedTTest, regularizedIncompleteBeta, sampleStd, studentTTwoSidedP } from './statistics.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('mean and sample std on hand-made values', () => {
  assert.equal(mean([90, 91, 92]), 91);
  close(sampleStd([90, 91, 92]), 1, 1e-12);
  close(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12);
  assert.ok(Number.isNaN(sampleStd([1])));
  assert.ok(Number.isNaN(mean([])));
});

test('logGamma matches factorials and Γ(1/2) = √π', () => {
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(10), Math.log(362880), 1e-10);
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
});

test('incomplete beta: closed forms I_x(1,1) = x and I_x(a,1) = x^a', () => {
  close(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-12);
  close(regularizedIncompleteBeta(0.6, 3, 1), 0.216, 1e-12);
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
});

test('Student t two-sided p-values match tables', () => {
  // t = 2.776 is the 97.5 % quantile for df = 4; t = 12.706 for df = 1; t = 1.96 ≈ normal for large df.
  close(studentTTwoSidedP(2.776445, 4), 0.05, 1e-5);
  close(studentTTwoSidedP(12.7062, 1), 0.05, 1e-5);
  close(studentTTwoSidedP(1.959964, 1e6), 0.05, 1e-4);
  close(studentTTwoSidedP(0, 5), 1, 1e-12);
  // df = 1 is Cauchy: p = 1 − (2/π)·atan(|t|).
  close(studentTTwoSidedP(3, 1), 1 - (2 / Math.PI) * Math.atan(3), 1e-12);
});

test('paired t-test on hand-made values', () => {
  // differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 2√3, df 2; p = 1 − t/√(t²+2) for df = 2.
  const r = pairedTTest([91, 92, 93], [90, 90, 90]);
  assert.equal(r.n, 3);
  assert.equal(r.df, 2);
  close(r.meanDiff, 2, 1e-12);
  close(r.stdDiff, 1, 1e-12);
  close(r.t, 2 * Math.sqrt(3), 1e-12);
  close(r.p, 1 - r.t / Math.sqrt(r.t * r.t + 2), 1e-12);
});

test('paired t-test edge cases: one pair, identical differences, length mismatch', () => {
  assert.ok(Number.isNaN(pairedTTest([1], [0]).p));
  const same = pairedTTest([2, 3, 4], [1, 2, 3]);
  assert.equal(same.t, Infinity);
  assert.equal(same.p, 0);
  assert.equal(pairedTTest([1, 2], [1, 2]).p, 1);
  assert.throws(() => pairedTTest([1, 2], [1]), RangeError);
});
