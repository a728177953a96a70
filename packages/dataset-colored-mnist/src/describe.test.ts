import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from './index.js';

test('describe() gives the gray and color modalities at imageSize and 10 classes, without reading digits', async () => {
  const contribution = plugin.datasets['colored-mnist']!;
  const d = await contribution.describe!({ ...contribution.meta.defaultOptions, imageSize: 14 }, { configDir: '/nonexistent', cacheDir: '/nonexistent' });
  assert.deepEqual(d.modalities, [{ name: 'gray', shape: [14, 14, 1] }, { name: 'color', shape: [14, 14, 3] }]);
  assert.equal(d.numClasses, 10);
});

test('describe() reports a root that is not a folder at /root, and the split sizes the options ask for', async () => {
  const contribution = plugin.datasets['colored-mnist']!;
  const options = { ...contribution.meta.defaultOptions, root: 'no-such-mnist' };
  const d = await contribution.describe!(options, { configDir: '/nonexistent', cacheDir: '/nonexistent' });
  assert.deepEqual(d.problems?.map((p) => p.pointer), ['/root']);
  assert.deepEqual(d.sizes, { train: options.trainSize, val: options.valSize, test: options.testSize });
});
