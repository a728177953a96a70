import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { kitFailures } from './test-fixtures/kit-failures.js';

test('the fusion kit fails each broken block on exactly the broken rule, and passes a sound one', () => {
  const got = kitFailures(fileURLToPath(new URL('./test-fixtures/broken-fusions.ts', import.meta.url)), 'fusion');
  const shapes = "valid {}: outputs keep their inputs' shapes in training and inference, in regular and every declared mode";
  const flow = 'valid {}: gradients reach every branch (across modalities) and every trainable variable';
  const params = 'valid {}: parameter groups and names, seeded init, stateDict round trip';
  assert.deepEqual(Object.fromEntries(got), {
    sound: [],
    // The gradient checks weight each output by a tensor of its input's shape, so they fail on it too.
    'drops-channel': [shapes, flow, 'valid {}: partner ablation (when declared) makes each output depend on its own modality only'],
    'no-group': [params],
    'dead-parameter': [flow],
    leaky: ['valid {}: no tensor leaks (create, apply in every mode, dispose)'],
    unseeded: [params],
    'ablation-ignored': ['valid {}: partner ablation (when declared) makes each output depend on its own modality only'],
    'declared-modes': [],
    // Declares its modes but runs an undeclared one as regular instead of refusing it.
    'not-cross-modal': ['valid {}: gradients reach every branch (own modality only) and every trainable variable'],
  });
});
