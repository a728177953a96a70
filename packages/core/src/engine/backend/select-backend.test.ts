import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { WASM_TRAINING_READY } from '@ungreedy/backend';
import { selectBackend } from './select-backend.js';

test('cpu is selected on request and becomes the active backend', async () => {
  const info = await selectBackend('cpu');
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(info.reason, /requested/);
});

test('auto says which backend it chose and why the faster ones were not used', async () => {
  const info = await selectBackend('auto');
  assert.equal(tf.getBackend(), info.name);
  const order = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
  // Everything before the chosen one was tried (or skipped) and has its reason recorded.
  assert.deepEqual(info.tried.map((t) => t.name), order.slice(0, order.indexOf(info.name)));
  if (!WASM_TRAINING_READY) assert.notEqual(info.name, 'wasm');
  assert.match(info.reason, /^auto: /);
  await selectBackend('cpu');
});

test('an explicitly requested backend that cannot load is UNG_ERR_BACKEND_UNAVAILABLE', async (t) => {
  const auto = await selectBackend('auto');
  await selectBackend('cpu');
  if (auto.name === 'tensorflow') {
    t.skip('tfjs-node is installed and works on this machine');
    return;
  }
  await assert.rejects(selectBackend('tensorflow'), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_BACKEND_UNAVAILABLE'));
    assert.equal(err.data['backend'], 'tensorflow');
    return true;
  });
});
