import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRows, batchAccuracy, SplitAccumulator } from './accuracy.js';

test('batch accuracy is 100 · mean(prediction == label)', () => {
  assert.equal(batchAccuracy(Int32Array.of(1, 0, 2, 2), Int32Array.of(1, 1, 2, 0), false), 50);
});

test('spec 9.11: the epoch accuracy is batch-size weighted (8 at 100 %, 3 at 0 % → 72.72…)', () => {
  const acc = new SplitAccumulator(2);
  const labels8 = Int32Array.of(0, 1, 2, 0, 1, 2, 0, 1);
  acc.add(1, labels8, [labels8, labels8], labels8, false);
  const labels3 = Int32Array.of(0, 1, 2);
  const wrong3 = Int32Array.of(1, 2, 0);
  acc.add(4, wrong3, [wrong3, labels3], labels3, false);
  const r = acc.result();
  assert.equal(r.acc, (100 * 8) / 11);
  assert.ok(Math.abs(r.acc - 72.7272727) < 1e-6);
  assert.deepEqual(r.accHeads, [(100 * 8) / 11, 100]);
  assert.equal(r.loss, (1 * 8 + 4 * 3) / 11);
  assert.equal(r.samples, 11);
});

test('the length-2 quirk compares both predictions with labels[0] only when enabled', () => {
  const preds = Int32Array.of(3, 3);
  const labels = Int32Array.of(3, 5);
  assert.equal(batchAccuracy(preds, labels, false), 50);
  assert.equal(batchAccuracy(preds, labels, true), 100);
  // Other lengths are unaffected.
  assert.equal(batchAccuracy(Int32Array.of(3, 3, 3), Int32Array.of(3, 5, 5), true), 100 / 3);
});

test('accumulator state round-trips exactly through JSON', () => {
  const a = new SplitAccumulator(2);
  a.add(0.123456789, Int32Array.of(0, 1, 1), [Int32Array.of(0, 0, 1), Int32Array.of(1, 1, 1)], Int32Array.of(0, 1, 2), false);
  const b = new SplitAccumulator(2);
  b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
  a.add(0.5, Int32Array.of(2), [Int32Array.of(2), Int32Array.of(0)], Int32Array.of(2), false);
  b.add(0.5, Int32Array.of(2), [Int32Array.of(2), Int32Array.of(0)], Int32Array.of(2), false);
  assert.deepEqual(b.result(), a.result());
});

test('argmaxRows takes the first maximum of each row', () => {
  assert.deepEqual([...argmaxRows([0, 2, 1, 5, 5, 0], 2, 3)], [1, 0]);
});
