import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { kitFailures } from './test-fixtures/kit-failures.js';

test('the encoder kit fails each broken encoder on exactly the broken rule, and passes a sound one', () => {
  const got = kitFailures(fileURLToPath(new URL('./test-fixtures/broken-encoders.ts', import.meta.url)), 'encoder');
  const shapes = 'valid {} on [2, 3]: stages and pooled features have the declared shapes, in training and inference';
  const params = 'valid {} on [2, 3]: variable names, seeded init, deterministic inference';
  assert.deepEqual(Object.fromEntries(got), {
    sound: [],
    'wrong-out-shape': [shapes],
    'dead-parameter': ['valid {} on [2, 3]: gradients reach the input and every trainable variable'],
    unseeded: [params],
    leaky: ['valid {} on [2, 3]: no tensor leaks (create, run, dispose)'],
    unprefixed: [params],
    'wrong-feature-size': [shapes],
    described: [],
    misdescribed: [shapes],
  });
});
