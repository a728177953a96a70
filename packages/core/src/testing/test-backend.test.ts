import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { getStockKernel, projectKernelNames, WASM_TRAINING_READY } from '@ungreedy/backend';
import { isUngreedyError } from '../contract/errors/errors.js';
import { setupCpu } from './setup-cpu.js';
import { setupTestBackend, TEST_BACKEND_VARIABLE, testBackendName } from './test-backend.js';

// First in the file, while wasm is not initialised yet: that is when overlapping tf.setBackend calls collide.
test('overlapping setups (Node 20 runs top-level before hooks concurrently) all succeed, in call order', async () => {
  const infos = await Promise.all([setupTestBackend(), setupTestBackend(), setupCpu(), setupTestBackend()]);
  assert.deepEqual(infos.map((i) => i?.name), [testBackendName(), testBackendName(), undefined, testBackendName()]);
  assert.equal(tf.getBackend(), testBackendName());
});

test('the test backend is wasm by default (the fastest CPU backend), and UNGREEDY_TEST_BACKEND picks cpu or wasm', () => {
  assert.equal(TEST_BACKEND_VARIABLE, 'UNGREEDY_TEST_BACKEND');
  assert.equal(testBackendName({}), WASM_TRAINING_READY ? 'wasm' : 'cpu');
  assert.equal(testBackendName({ UNGREEDY_TEST_BACKEND: '' }), testBackendName({}));
  assert.equal(testBackendName({ UNGREEDY_TEST_BACKEND: 'cpu' }), 'cpu');
  assert.equal(testBackendName({ UNGREEDY_TEST_BACKEND: 'wasm' }), 'wasm');
});

test('any other UNGREEDY_TEST_BACKEND is UNG_ERR_BACKEND_UNAVAILABLE, naming the variable and the allowed values', () => {
  for (const value of ['auto', 'webgpu', 'WASM', ' cpu']) {
    assert.throws(
      () => testBackendName({ UNGREEDY_TEST_BACKEND: value }),
      (err: unknown) => {
        assert.ok(isUngreedyError(err, 'UNG_ERR_BACKEND_UNAVAILABLE'));
        assert.deepEqual(err.data, { backend: value, variable: 'UNGREEDY_TEST_BACKEND', allowed: ['cpu', 'wasm'] });
        return true;
      },
    );
  }
});

test('setupTestBackend activates the test backend as a run selects it: gradients, and on wasm the project kernels', async () => {
  const name = testBackendName();
  const info = await setupTestBackend();
  assert.equal(info.name, name);
  assert.match(info.reason, /^requested/);
  assert.equal(tf.getBackend(), name);
  assert.notEqual(tf.getGradient('Sum'), undefined);
  // The kernels selectBackend registers for the backend (none on cpu, the untouched oracle) are the active ones.
  const replaced = projectKernelNames(name);
  assert.equal(replaced.length > 0, name === 'wasm');
  for (const kernel of replaced) assert.notEqual(getKernel(kernel, name), getStockKernel(kernel, name), kernel);
  // Idempotent, and a real gradient flows.
  await setupTestBackend();
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3])).arraySync());
  assert.deepEqual(g, [2, -4, 6]);
});

test('setupCpu selects the cpu oracle whatever the test backend is', async () => {
  await setupCpu();
  assert.equal(tf.getBackend(), 'cpu');
  await setupTestBackend();
  assert.equal(tf.getBackend(), testBackendName());
});
