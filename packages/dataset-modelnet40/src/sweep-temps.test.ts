import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { sweepStaleTemps } from './sweep-temps.js';
import { makeTiny, silentLog, tempDir } from './test-fixtures/helpers.js';

/** The pid of a process that has exited: its temp files are stale. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('sweepStaleTemps removes only the package\'s own temps of dead writers', async () => {
  const dir = await tempDir();
  try {
    const dead = deadPid();
    const names = [
      `views-abc.bin.tmp-${dead}-1`, // a killed first load: removed
      `views-abc.bin.tmp-${process.pid}-2`, // this process is writing it: kept
      `renders-x.tmp-${dead}-3`, // not ours (prefix): kept
      'views-abc.bin', // a finished cache: kept
    ];
    for (const n of names) await writeFile(join(dir, n), 'x');
    assert.equal(await sweepStaleTemps(dir, 'views-'), 1);
    assert.deepEqual((await readdir(dir)).sort(), names.slice(1).sort());
    assert.equal(await sweepStaleTemps(join(dir, 'missing')), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('prepare modelnet40 removes the half-written PNGs a killed prepare left, and renders what is missing', async () => {
  const dir = await tempDir();
  try {
    const made = await makeTiny(join(dir, 'data'));
    const out = join(dir, 'renders');
    const first = await prepareModelNet40FromOff({ from: made.offRoot, out, size: 8, views: [0], log: silentLog });
    const [cls] = made.classNames;
    const folder = join(out, cls!, 'train');
    const stale = `${(await readdir(folder))[0]}.tmp-${deadPid()}-7`;
    await writeFile(join(folder, stale), 'half a png');
    const again = await prepareModelNet40FromOff({ from: made.offRoot, out, size: 8, views: [0], log: silentLog });
    assert.equal(again.existing, first.objects);
    assert.ok(!(await readdir(folder)).includes(stale));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
