import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { findListFiles, formatListLine, LIST_NAMES, parseList, readList } from './list-file.js';
import { tempDir } from './test-fixtures/fixtures.js';

// Lines in the official format (copied in shape from nvgesture_train_correct_cvpr2016_v2.lst).
const OFFICIAL = [
  'path:./Video_data/class_01/subject13_r0 depth:sk_depth:223:303 color:sk_color:223:303 duo_left:duo_left:236:316 label:1',
  'path:./Video_data/class_25/subject3_r1 depth:sk_depth:130:210 color:sk_color:130:210 duo_left:duo_left:146:226 label:25',
  '',
].join('\n');

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

describe('parseList', () => {
  it('reads paths, sensor ranges and 1-based labels as 0-based', () => {
    const entries = parseList(OFFICIAL, 'x.lst', 25);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[0], {
      path: 'Video_data/class_01/subject13_r0',
      label: 0,
      line: 1,
      sensors: {
        sk_depth: { file: 'sk_depth', start: 223, end: 303 },
        sk_color: { file: 'sk_color', start: 223, end: 303 },
        duo_left: { file: 'duo_left', start: 236, end: 316 },
      },
    });
    assert.equal(entries[1]!.label, 24);
  });

  it('round-trips through formatListLine', () => {
    const entries = parseList(OFFICIAL, 'x.lst', 25);
    const again = parseList(entries.map(formatListLine).join('\n'), 'y.lst', 25);
    assert.deepEqual(again, entries);
  });

  const bad: Array<[string, string]> = [
    ['a token without a key', 'path:./a depth:sk_depth:1:5 garbage label:1'],
    ['a missing label', 'path:./a depth:sk_depth:1:5'],
    ['a missing path', 'depth:sk_depth:1:5 label:2'],
    ['label 0 (labels are 1-based)', 'path:./a depth:sk_depth:1:5 label:0'],
    ['a label past the class count', 'path:./a depth:sk_depth:1:5 label:26'],
    ['a non-numeric frame', 'path:./a depth:sk_depth:1:x label:1'],
    ['a sensor token with too few fields', 'path:./a color:sk_color:4 label:1'],
    ['an empty range', 'path:./a color:sk_color:9:9 label:1'],
  ];
  for (const [what, line] of bad) {
    it(`rejects ${what} with the file and line number`, () => {
      const err = catchError(() => parseList(`${OFFICIAL}\n${line}\n`, 'lists/train.lst', 25));
      assert.ok(isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT'), String(err));
      assert.equal(err.data.file, 'lists/train.lst');
      assert.equal(err.data.line, 4);
    });
  }
});

describe('findListFiles', () => {
  const dirs: Array<() => Promise<void>> = [];
  after(async () => Promise.all(dirs.map((c) => c())));

  it('prefers the _v2 lists, falls back to the older names, and can be forced', async () => {
    const { dir, cleanup } = await tempDir();
    dirs.push(cleanup);
    await writeFile(join(dir, LIST_NAMES.v1.train), OFFICIAL);
    await writeFile(join(dir, LIST_NAMES.v1.test), OFFICIAL);
    assert.equal(findListFiles(dir).variant, 'v1');
    assert.equal(findListFiles(dir).train, join(dir, 'nvgesture_train_correct_cvpr2016.lst'));
    await writeFile(join(dir, LIST_NAMES.v2.train), OFFICIAL);
    await writeFile(join(dir, LIST_NAMES.v2.test), OFFICIAL);
    assert.equal(findListFiles(dir).variant, 'v2');
    assert.equal(findListFiles(dir).test, join(dir, 'nvgesture_test_correct_cvpr2016_v2.lst'));
    assert.equal(findListFiles(dir, 'v1').variant, 'v1');
    const entries = await readList(findListFiles(dir, 'v1').train, 25);
    assert.deepEqual(entries.map((e) => e.label), [0, 24]);
  });

  it('names every file it looked for when none exists', async () => {
    const { dir, cleanup } = await tempDir();
    dirs.push(cleanup);
    const err = catchError(() => findListFiles(dir));
    assert.ok(isUngreedyError(err, 'UNG_ERR_DATASET_MISSING'));
    assert.equal((err.data.tried as string[]).length, 4);
    assert.equal(err.data.root, dir);
  });
});
