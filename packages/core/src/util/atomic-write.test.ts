import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'ungreedy-atomic-'));

test('after a successful write the new content is there and no temp file is left', () => {
  const dir = fresh();
  const file = join(dir, 'manifest.json');
  writeFileSync(file, 'old');
  writeJsonAtomic(file, { status: 'completed' });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { status: 'completed' });
  assert.deepEqual(readdirSync(dir), ['manifest.json']);
});

test('a process killed between the temp write and the rename leaves the old file intact', () => {
  const dir = fresh();
  const file = join(dir, 'manifest.json');
  writeFileSync(file, '{"status":"running"}');
  const module = pathToFileURL(join(import.meta.dirname, 'atomic-write.ts')).href;
  const script = `
    import { writeFileAtomic } from ${JSON.stringify(module)};
    writeFileAtomic(${JSON.stringify(file)}, '{"status":"completed"}', {
      beforeRename: () => process.kill(process.pid, 'SIGKILL'),
    });`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  assert.equal(readFileSync(file, 'utf8'), '{"status":"running"}');
  // The orphan temp file holds the complete new content; readers never look at it.
  const temps = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  assert.equal(temps.length, 1);
  assert.equal(readFileSync(join(dir, temps[0]!), 'utf8'), '{"status":"completed"}');
});

test('an error before the rename removes the temp file and keeps the old content', () => {
  const dir = fresh();
  const file = join(dir, 'summary.json');
  writeFileSync(file, 'old');
  assert.throws(() => writeFileAtomic(file, 'new', { beforeRename: () => { throw new Error('disk full'); } }), /disk full/);
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['summary.json']);
});
