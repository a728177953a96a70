import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { SENSOR_CHANNELS } from './clip-cache.js';
import { NVGESTURE_DEFAULTS, describeNvGesture } from './nvgesture.js';

const dir = mkdtempSync(join(tmpdir(), 'ungreedy-nvg-describe-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { configDir: dir, cacheDir: join(dir, 'cache') };

test('describe() gives one modality per sensor and the class count without touching data', async () => {
  const o = NVGESTURE_DEFAULTS;
  const d = await describeNvGesture(o, ctx);
  assert.equal(d.numClasses, o.numClasses);
  assert.deepEqual(d.modalities.map((m) => m.shape), o.sensors.map((s) => [o.frames, o.crop.height, o.crop.width, SENSOR_CHANNELS[s]]));
  assert.deepEqual(d.problems, []);
});

test('describe() reports a missing root or cache at its option, and throws the option check create would', async () => {
  const noRoot = await describeNvGesture({ ...NVGESTURE_DEFAULTS, root: 'nowhere' }, ctx);
  assert.deepEqual(noRoot.problems?.map((p) => p.pointer), ['/root']);
  const noCache = await describeNvGesture({ ...NVGESTURE_DEFAULTS, cache: 'no-cache' }, ctx);
  assert.deepEqual(noCache.problems?.map((p) => p.pointer), ['/cache']);
  await assert.rejects(
    describeNvGesture({ ...NVGESTURE_DEFAULTS, crop: { width: 10_000, height: 10 } }, ctx),
    (err: unknown) => isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID') && err.data['pointer'] === '/dataset/options/crop',
  );
});
