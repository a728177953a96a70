import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setupWebGpu, summarizeDawnOutput, vulkanLoaderPresent, webGpuStatus } from './setup-webgpu.js';

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

test('probing WebGPU prints nothing: Dawn and the Vulkan driver are heard in a child process only', async () => {
  // A fresh process, as a user's command is: native code writes to its fd 2, which in-process code cannot silence.
  // On a machine with mesa's software Vulkan driver (CI installs it) Dawn and mesa both print when loaded in-process.
  const script = `import { webGpuStatus } from ${JSON.stringify(pathToFileURL(fileURLToPath(new URL('./setup-webgpu.ts', import.meta.url))).href)};
const status = await webGpuStatus();
process.stdout.write(JSON.stringify(status));`;
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const status = JSON.parse(stdout) as { ok: boolean; reason?: string; diagnostics?: string[] };
  assert.equal(typeof status.ok, 'boolean');
  if (!status.ok) {
    assert.equal(stderr, '', `the probe must be silent, but stderr had: ${stderr}`);
    // What Dawn said is kept for the manifest (reason) and debug logs (diagnostics), without build-machine paths.
    assert.doesNotMatch(status.reason ?? '', /\/home\/runner|\.cpp:/);
  }
});

test('summarizeDawnOutput keeps Dawn\'s warning and drops the source paths of the machine that built it', () => {
  const lines = [
    'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
    'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.',
    ' - While initializing adapter (backend=BackendType::Vulkan)',
    '    at InitializeImpl (/home/runner/work/node-webgpu/third_party/dawn/PhysicalDeviceVk.cpp:257)',
  ];
  assert.equal(summarizeDawnOutput(lines), 'Vulkan shaderUniform*ArrayDynamicIndexing required.');
  assert.equal(summarizeDawnOutput(lines.slice(0, 1)), 'XDG_RUNTIME_DIR is invalid or not set in the environment.');
  assert.equal(summarizeDawnOutput(['Error in F (/build/dawn/x.cpp:1) here']), 'Error in F here');
  assert.equal(summarizeDawnOutput([]), undefined);
});

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', env: { ...process.env, UNGREEDY_LOG_LEVEL: 'info' } }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });
}
