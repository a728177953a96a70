import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { scanLayout } from './layout.js';
import { defaultModelNet40Options, describeModelNet40 } from './modelnet40.js';
import { copyTree, makeTiny, tempDir, TINY } from './test-fixtures/helpers.js';

test('describe() reads the listing and one PNG header: views as modalities, classes, test size; nothing is written', async () => {
  const dir = await tempDir();
  try {
    const made = await makeTiny(join(dir, 'data'));
    const options = { ...defaultModelNet40Options, root: made.mvcnnRoot, classes: 'from-folders' as const, views: [0, 6] };
    const d = await describeModelNet40(options, { configDir: dir, cacheDir: join(dir, 'cache') });
    assert.deepEqual(d.modalities, [
      { name: 'view1', shape: [TINY.size, TINY.size, 3] },
      { name: 'view7', shape: [TINY.size, TINY.size, 3] },
    ]);
    assert.equal(d.numClasses, TINY.classes);
    assert.deepEqual(d.sizes, { test: TINY.classes! * TINY.perClassTest! });
    assert.deepEqual(d.problems ?? [], []);
    const resized = await describeModelNet40({ ...options, imageSize: 8 }, { configDir: dir, cacheDir: join(dir, 'cache') });
    assert.deepEqual(resized.modalities[0]!.shape, [8, 8, 3]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing root and a class folder without test/ are problems at /root (describe) and errors (scanLayout)', async () => {
  const dir = await tempDir();
  try {
    const missing = await describeModelNet40({ ...defaultModelNet40Options, root: 'nowhere' }, { configDir: dir, cacheDir: dir });
    assert.deepEqual(missing.problems?.map((p) => p.pointer), ['/root']);
    const made = await makeTiny(join(dir, 'data'));
    const root = await copyTree(made.mvcnnRoot, join(dir, 'damaged'));
    const [cls] = made.classNames;
    await rm(join(root, cls!, 'test'), { recursive: true });
    const d = await describeModelNet40({ ...defaultModelNet40Options, root, classes: 'from-folders' }, { configDir: dir, cacheDir: dir });
    assert.deepEqual(d.problems?.map((p) => p.pointer), ['/root']);
    await assert.rejects(scanLayout(root, 'mvcnn', 'from-folders'), (err: unknown) =>
      isUngreedyError(err, 'UNG_ERR_DATASET_MISSING') && err.data['reason'] === 'missing-split' && err.data['split'] === 'test');
    // An empty test/ folder is fine: the class simply has no test objects.
    await mkdir(join(root, cls!, 'test'));
    const listing = await scanLayout(root, 'mvcnn', 'from-folders');
    assert.equal(listing.objects.test.length, (TINY.classes! - 1) * TINY.perClassTest!);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
