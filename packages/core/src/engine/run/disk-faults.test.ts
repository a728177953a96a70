import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../../app/cli/cli-command.js';
import { main } from '../../app/cli/main.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import type { RunManifest } from './metric-records.js';
import { LOCK_FILE } from './run-lock.js';

// Real read-only and full file systems (issue 16, finding 5; packages/core/docs/faults.md): a tmpfs mounted here,
// which needs root (CAP_SYS_ADMIN). Where mount is refused the tests skip and say why. EACCES stays a synthetic
// errno test (engine/config/config-faults.test.ts): as root, permission bits do not stop a write, and these
// tests run as root wherever mount works.

const fixturePlugin = join(import.meta.dirname, '..', '..', 'app', 'compare', 'test-fixtures', 'compare-plugin.mjs');

/** Mounts a tmpfs at a new folder; returns null (and why) where this process may not mount. */
function mountTmpfs(options: string): { dir: string; unmount: () => void } | string {
  const dir = join(tempDir('disk-faults'), 'mnt');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return `mount -t tmpfs is not permitted here (${(r.error?.message ?? r.stderr).trim()})`;
  return { dir, unmount: () => void spawnSync('umount', ['-l', dir]) };
}

function workspace(): { dir: string; config: string } {
  const dir = tempDir('disk-faults-ws');
  const plugin = relative(dir, fixturePlugin);
  writeFileSync(join(dir, 'exp.json'), JSON.stringify({ ...TINY_EXPERIMENT, name: 'disk', plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], output: { dir: 'runs' } }));
  return { dir, config: join(dir, 'exp.json') };
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; text: string }> {
  let text = '';
  const io: CliIo = { out: (l) => (text += `${l}\n`), err: (l) => (text += `${l}\n`), cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  return { code: await main(argv, io), text };
}

test('a run into a read-only file system (a real read-only tmpfs) is UNG_ERR_FS_READ_ONLY naming the folder, exit 2, nothing written', async (t) => {
  const mount = mountTmpfs('ro,size=1m');
  if (typeof mount === 'string') return t.skip(mount);
  try {
    const { dir, config } = workspace();
    const { code, text } = await cli(['run', config, '--out', mount.dir], dir);
    assert.equal(code, 2, text);
    assert.match(text, /UNG_ERR_FS_READ_ONLY: .*\/mnt/);
    assert.match(text, /EROFS/);
  } finally {
    mount.unmount();
  }
});

test('a run that fills its disk (a real 64 KiB tmpfs) fails with UNG_ERR_FS_NO_SPACE naming the run folder; the run ends, releases its lock and leaves whole files', async (t) => {
  const mount = mountTmpfs('size=64k');
  if (typeof mount === 'string') return t.skip(mount);
  try {
    const { dir, config } = workspace();
    // Most of the space taken already: the run folder and manifest fit, the checkpoints do not.
    writeFileSync(join(mount.dir, 'ballast'), Buffer.alloc(40 * 1024));
    const { code, text } = await cli(['run', config, '--out', mount.dir], dir);
    assert.notEqual(code, 0, text);
    assert.match(text, /UNG_ERR_FS_NO_SPACE: ungreedy must be able to write to the run folder .*\/mnt\/disk-seed1/, text);
    assert.match(text, /ENOSPC/);
    assert.doesNotMatch(text, /^Error: ENOSPC/m, 'no raw errno text');
    // The run ends (no hang on the log file's failed flush), its lock is released, and what is on disk is whole:
    // the manifest parses (it may still say "running" when the full disk refused the final update, too).
    const runDir = join(mount.dir, 'disk-seed1');
    assert.ok(!existsSync(join(runDir, LOCK_FILE)), 'the lock is released');
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.ok(['running', 'failed'].includes(manifest.status), manifest.status);
  } finally {
    mount.unmount();
  }
});
