import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from './compare.js';

test('compare progress durations: seconds with a tenth under a minute, whole seconds after, never "60 s"', () => {
  assert.equal(formatDuration(41.34), '41.3 s');
  assert.equal(formatDuration(59.94), '59.9 s');
  assert.equal(formatDuration(59.96), '1 min 0 s');
  assert.equal(formatDuration(119.6), '2 min 0 s');
  assert.equal(formatDuration(131.4), '2 min 11 s');
  assert.equal(formatDuration(3599.7), '60 min 0 s');
});
