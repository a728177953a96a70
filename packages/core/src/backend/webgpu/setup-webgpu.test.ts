import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setupWebGpu, webGpuStatus } from './setup-webgpu.js';

test('setupWebGpu resolves a boolean without throwing, and says why when there is no GPU', async () => {
  const ok = await setupWebGpu();
  assert.equal(typeof ok, 'boolean');
  const status = await webGpuStatus();
  assert.equal(status.ok, ok);
  if (ok) {
    // With a hardware adapter the tfjs backend must have registered itself.
    assert.ok(tf.findBackendFactory('webgpu') !== undefined || tf.engine().registryFactory['webgpu'] !== undefined);
  } else {
    assert.equal(typeof status.reason, 'string');
    assert.ok(status.reason!.length > 0);
  }
  // The probe runs once per process: a second call gives the same answer.
  assert.equal(await setupWebGpu(), ok);
});
