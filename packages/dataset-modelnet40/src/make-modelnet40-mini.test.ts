import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { makeModelNet40Mini } from './make-modelnet40-mini.js';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { meshFile, renderFile } from './layout.js';
import { SHAPES } from './procedural-meshes.js';
import { parseOff } from './off-mesh.js';
import { removeDir, tempDir } from './test-fixtures/helpers.js';

let work: string;
before(async () => {
  work = await tempDir();
});
after(() => removeDir(work));

const SMALL = { classes: 3, perClassTrain: 2, perClassTest: 1, size: 12, views: [0, 6] } as const;

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

test('writes the ModelNet layout (test numbers continue after train) and the MVCNN layout', async () => {
  const r = await makeModelNet40Mini({ ...SMALL, out: join(work, 'a') });
  assert.deepEqual(r.classNames, ['bottle', 'bowl', 'cone']);
  assert.deepEqual(r.counts, { train: 6, test: 3 });
  const off = await listFiles(r.offRoot);
  assert.deepEqual(off.slice(0, 3), ['bottle/test/bottle_0003.off', 'bottle/train/bottle_0001.off', 'bottle/train/bottle_0002.off']);
  assert.equal(off.length, 9);
  const png = await listFiles(r.mvcnnRoot);
  assert.equal(png.length, 18);
  assert.ok(png.includes('cone/test/cone_0003.obj.shaded_v007.png'));
  for (const f of off) parseOff(await readFile(join(r.offRoot, f), 'utf8'), f);
});

test('is deterministic for a seed, differs across seeds, and each object draws its own stream', async () => {
  const a = await makeModelNet40Mini({ ...SMALL, out: join(work, 's1'), seed: 4 });
  const b = await makeModelNet40Mini({ ...SMALL, out: join(work, 's2'), seed: 4 });
  const c = await makeModelNet40Mini({ ...SMALL, out: join(work, 's3'), seed: 5 });
  const more = await makeModelNet40Mini({ ...SMALL, perClassTrain: 3, out: join(work, 's4'), seed: 4 });
  const obj = { className: 'bowl', split: 'train' as const, stem: 'bowl_0002' };
  const read = (root: string) => readFile(meshFile(root, obj), 'utf8');
  assert.equal(await read(a.offRoot), await read(b.offRoot));
  assert.notEqual(await read(a.offRoot), await read(c.offRoot));
  assert.equal(await read(more.offRoot), await read(a.offRoot), 'adding objects leaves the others unchanged');
  for (const f of await listFiles(a.mvcnnRoot)) {
    assert.deepEqual(await readFile(join(a.mvcnnRoot, f)), await readFile(join(b.mvcnnRoot, f)), f);
  }
});

test('offers at least 10 shape classes', async () => {
  assert.ok(SHAPES.length >= 10);
  const r = await makeModelNet40Mini({ classes: SHAPES.length, perClassTrain: 1, perClassTest: 1, size: 8, views: [0], out: join(work, 'all') });
  assert.equal((await readdir(r.offRoot)).length, SHAPES.length);
});

test('the hard-view options degrade only that view, deterministically', async () => {
  const clean = await makeModelNet40Mini({ ...SMALL, out: join(work, 'clean') });
  const hard = await makeModelNet40Mini({ ...SMALL, out: join(work, 'hard'), hardView: 6, noise: 0.1, occlusion: 1, contrast: 0.5 });
  const hard2 = await makeModelNet40Mini({ ...SMALL, out: join(work, 'hard2'), hardView: 6, noise: 0.1, occlusion: 1, contrast: 0.5 });
  const obj = { className: 'cone', split: 'test' as const, stem: 'cone_0003' };
  const read = (root: string, v: number) => readFile(renderFile(root, obj, v));
  assert.deepEqual(await read(hard.mvcnnRoot, 0), await read(clean.mvcnnRoot, 0));
  assert.notDeepEqual(await read(hard.mvcnnRoot, 6), await read(clean.mvcnnRoot, 6));
  assert.deepEqual(await read(hard.mvcnnRoot, 6), await read(hard2.mvcnnRoot, 6));
  assert.equal(await readFile(meshFile(hard.offRoot, obj), 'utf8'), await readFile(meshFile(clean.offRoot, obj), 'utf8'));
});

test('bad generator options are UNG_ERR_CLI_USAGE naming the field', async () => {
  for (const [field, value] of [['classes', 99], ['size', 2], ['occlusion', 2], ['hardView', 12]] as const) {
    await assert.rejects(makeModelNet40Mini({ ...SMALL, out: join(work, 'bad'), [field]: value }), (err: unknown) => {
      return isUngreedyError(err, 'UNG_ERR_CLI_USAGE') && err.data['field'] === field && err.data['value'] === value;
    });
  }
});

test('prepare resumes: only missing images are rendered again, identical, and no temporary file is left', async () => {
  const r = await makeModelNet40Mini({ ...SMALL, out: join(work, 'resume') });
  const obj = { className: 'bottle', split: 'train' as const, stem: 'bottle_0002' };
  const before = await readFile(renderFile(r.mvcnnRoot, obj, 6));
  await rm(renderFile(r.mvcnnRoot, obj, 6));
  const result = await prepareModelNet40FromOff({ from: r.offRoot, out: r.mvcnnRoot, size: SMALL.size, views: SMALL.views });
  assert.deepEqual({ rendered: result.rendered, existing: result.existing, objects: result.objects }, { rendered: 1, existing: 17, objects: 9 });
  assert.deepEqual(await readFile(renderFile(r.mvcnnRoot, obj, 6)), before);
  assert.ok((await listFiles(r.mvcnnRoot)).every((f) => !f.includes('.tmp-')));
  const again = await prepareModelNet40FromOff({ from: r.offRoot, out: r.mvcnnRoot, size: SMALL.size, views: SMALL.views });
  assert.equal(again.rendered, 0);
});

test('prepare with worker threads writes the same images, and skips or stops at a malformed mesh', async () => {
  const r = await makeModelNet40Mini({ ...SMALL, out: join(work, 'jobs') });
  const out = join(work, 'jobs-renders');
  const result = await prepareModelNet40FromOff({ from: r.offRoot, out, size: SMALL.size, views: SMALL.views, jobs: 2 });
  assert.equal(result.rendered, 18);
  for (const f of await listFiles(r.mvcnnRoot)) assert.deepEqual(await readFile(join(out, f)), await readFile(join(r.mvcnnRoot, f)), f);
  const bad = meshFile(r.offRoot, { className: 'bowl', split: 'test', stem: 'bowl_0003' });
  await writeFile(bad, 'OFF\n3 1 0\n0 0 0\n');
  const out2 = join(work, 'jobs-renders-2');
  await assert.rejects(
    prepareModelNet40FromOff({ from: r.offRoot, out: out2, size: SMALL.size, views: SMALL.views, jobs: 2 }),
    (err: unknown) => isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['file'] === bad && err.data['reason'] === 'off-truncated',
  );
  const skipped = await prepareModelNet40FromOff({ from: r.offRoot, out: out2, size: SMALL.size, views: SMALL.views, jobs: 2, onBadSample: 'skip' });
  assert.deepEqual(skipped.bad.map((b) => [b.file, b.reason]), [[bad, 'off-truncated']]);
  assert.equal((await listFiles(out2)).filter((f) => !f.includes('.tmp-')).length, 16);
});
