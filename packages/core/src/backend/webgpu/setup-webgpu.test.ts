import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupWebGpu, vulkanLoaderPresent, webGpuStatus } from './setup-webgpu.js';

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

test('the Vulkan loader is looked up in LD_LIBRARY_PATH before Dawn is loaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-'));
  try {
    const without = vulkanLoaderPresent({ LD_LIBRARY_PATH: dir });
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    assert.equal(vulkanLoaderPresent({ LD_LIBRARY_PATH: dir }), true);
    // Without it in LD_LIBRARY_PATH, the answer is the system's; either way it must not depend on the temp folder.
    assert.equal(without, vulkanLoaderPresent({}));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
