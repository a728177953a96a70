import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { makeTiny, silentLog, tempDir } from './test-fixtures/helpers.js';

/** The pid of a process that has exited: its temp files are stale. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

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
