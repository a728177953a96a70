import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { atomicTempPath, isStaleAtomicTemp, sweepStaleAtomicTemps, withAtomicFile, writeFileAtomic, writeFileAtomicAsync, writeJsonAtomic } from './atomic-write.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'ungreedy-atomic-'));

/** A fresh folder holding `name` with the content "old". */
function oldFile(name: string): { dir: string; file: string } {
  const dir = fresh();
  const file = join(dir, name);
  writeFileSync(file, 'old');
  return { dir, file };
}

test('after a successful write the new content is there and no temp file is left', () => {
  const { dir, file } = oldFile('manifest.json');
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
  const { dir, file } = oldFile('summary.json');
  assert.throws(() => writeFileAtomic(file, 'new', { beforeRename: () => { throw new Error('disk full'); } }), /disk full/);
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['summary.json']);
});

test('writeFileAtomicAsync replaces the content, with or without fsync, and leaves no temp file', async () => {
  const { dir, file } = oldFile('clip.u8');
  await writeFileAtomicAsync(file, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  await writeFileAtomicAsync(file, 'text', { fsync: false });
  assert.equal(readFileSync(file, 'utf8'), 'text');
  assert.deepEqual(readdirSync(dir), ['clip.u8']);
});

test('withAtomicFile writes through a <path>.tmp-<pid>-<n> temp file and resolves with the writer\'s result', async () => {
  const dir = fresh();
  const file = join(dir, 'views.bin');
  const seen: string[] = [];
  const result = await withAtomicFile(file, async (handle) => {
    await handle.write('ab');
    await handle.write('cd');
    seen.push(...readdirSync(dir));
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, new RegExp(`^views\\.bin\\.tmp-${process.pid}-\\d+$`));
  assert.equal(readFileSync(file, 'utf8'), 'abcd');
  assert.deepEqual(readdirSync(dir), ['views.bin']);
});

test('withAtomicFile removes the temp file and keeps the old content when the writer fails', async () => {
  const { dir, file } = oldFile('views.bin');
  await assert.rejects(
    withAtomicFile(file, async (handle) => {
      await handle.write('half');
      throw new Error('decode failed');
    }),
    /decode failed/,
  );
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['views.bin']);
});

test('isStaleAtomicTemp: only temp names of processes that are gone', () => {
  // spawnSync returns once the child has exited and been reaped, so its pid names no process.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  assert.ok(Number.isInteger(dead) && dead > 0, `spawned pid ${dead}`);
  assert.equal(isStaleAtomicTemp(`x.u8.tmp-${dead}-456`), true);
  assert.equal(isStaleAtomicTemp(`x.u8.tmp-${process.pid}-456`), false);
  assert.equal(isStaleAtomicTemp(`x.u8.tmp-${process.ppid}-456`), false);
  assert.equal(isStaleAtomicTemp(atomicTempPath('x.u8')), false);
  assert.equal(isStaleAtomicTemp(`x.u8.tmp-${dead}-abc`), false);
  assert.equal(isStaleAtomicTemp('x.u8'), false);
});

test('writeFileAtomicAsync with a writer function writes through the handle and resolves with its result', async () => {
  const dir = fresh();
  const file = join(dir, 'views.bin');
  const n = await writeFileAtomicAsync(file, async (handle) => {
    await handle.write(new Uint8Array([7, 8]));
    return 2;
  }, { fsync: false });
  assert.equal(n, 2);
  assert.deepEqual([...readFileSync(file)], [7, 8]);
  assert.deepEqual(readdirSync(dir), ['views.bin']);
});

test('sweepStaleAtomicTemps removes only the temps, under the prefix, of dead writers', async () => {
  const dir = fresh();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const names = [
    `views-abc.bin.tmp-${dead}-1`, // a killed first load: removed
    `views-abc.bin.tmp-${process.pid}-2`, // this process is writing it: kept
    `renders-x.tmp-${dead}-3`, // not under the prefix: kept
    'views-abc.bin', // a finished cache: kept
  ];
  for (const n of names) writeFileSync(join(dir, n), 'x');
  assert.equal(await sweepStaleAtomicTemps(dir, 'views-'), 1);
  assert.deepEqual(readdirSync(dir).sort(), names.slice(1).sort());
  assert.equal(await sweepStaleAtomicTemps(dir), 1);
  assert.equal(await sweepStaleAtomicTemps(join(dir, 'missing')), 0);
});
