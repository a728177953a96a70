import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletedStopping } from './completed-stopping.js';

test('spec 9.14: the count is cumulative (not reset by worse epochs) and stops at the 5th epoch with 100 %', () => {
  const stop = new CompletedStopping(5);
  const accs = [90, 100, 99.99, 100, 100, 80, 100, 100, 100];
  const decisions = accs.map((a) => stop.update(a));
  assert.deepEqual(decisions, [false, false, false, false, false, false, false, true, true]);
  assert.equal(stop.count, 6);
});

test('only exactly 100.0 counts, and patience 0 never stops', () => {
  const stop = new CompletedStopping(1);
  assert.equal(stop.update(99.99999999), false);
  assert.equal(stop.update(100), true);
  const never = new CompletedStopping(0);
  for (let i = 0; i < 10; i++) assert.equal(never.update(100), false);
});
