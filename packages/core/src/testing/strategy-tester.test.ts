import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { kitFailures } from './test-fixtures/kit-failures.js';

test('the conformance kit fails each broken strategy on exactly the broken rule, and passes a sound one', () => {
  const got = kitFailures(fileURLToPath(new URL('./test-fixtures/broken-strategies.ts', import.meta.url)), 'strategy');
  const contract = 'valid {}: created for 2 modalities, hooks keep the mode contract';
  const engine = 'trains 2 epochs with the real engine: hooks in HOOKS order, modes recorded as chosen';
  const realResume = 'resumed from a real checkpoint, a run repeats the uninterrupted run exactly';
  const resume = 'valid {}: stateDict round-trips through JSON and a resumed instance decides the same';
  assert.deepEqual(Object.fromEntries(got), {
    sound: [],
    'empty-schema': ['meta: description, strict schema with additionalProperties: false, defaults accepted'],
    'bad-mode': [contract, engine, realResume],
    // The engine refuses a mask naming a group the model lacks, so the real runs fail too.
    'unknown-group': [contract, engine, realResume],
    'stateful-without-state': [resume, realResume],
    unseeded: ['valid {}: the same seed gives the same decisions', resume, realResume],
    leaky: ['no tensor leaks over 8 steps'],
    'disposes-gradients': [contract, engine, realResume],
    'wrong-error': ['invalid {"every":6}: UNG_ERR_CONFIG_INVALID at /every'],
  });
});
