import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { tempDir } from '../../testing/temp-dir.js';
import { evaluateRun } from '../assembly/evaluate-run.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { createLockedRunFolder } from './create-run-folder.js';
import { acquireRunLock, isLockedByOther, LOCK_FILE, readRunLock } from './run-lock.js';
import { sweepRunTemps } from './sweep-run-temps.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const writeLock = (dir: string, pid: number, host = hostname()): void =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host, startedAt: '2026-01-01T00:00:00.000Z' }));

const lockedCode = (data: Record<string, unknown>) => (err: unknown): boolean => {
  assert.ok(isUngreedyError(err, 'UNG_ERR_RUN_LOCKED'), String(err));
  for (const [k, v] of Object.entries(data)) assert.equal((err.data as Record<string, unknown>)[k], v, k);
  return true;
};

test('the lock file holds pid, host and start time; release removes it; a live holder is refused with UNG_ERR_RUN_LOCKED', () => {
  const dir = tempDir('lock');
  const lock = acquireRunLock(dir);
  assert.deepEqual({ pid: readRunLock(dir)!.pid, host: readRunLock(dir)!.host }, { pid: process.pid, host: hostname() });
  assert.ok(!Number.isNaN(Date.parse(readRunLock(dir)!.startedAt)));
  assert.equal(isLockedByOther(dir), null, 'its own lock is not another writer');
  lock.release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));

  // The parent of this test process is alive: its lock is honoured.
  writeLock(dir, process.ppid);
  assert.equal(isLockedByOther(dir)!.pid, process.ppid);
  assert.throws(() => acquireRunLock(dir), lockedCode({ pid: process.ppid, host: hostname() }));
  assert.equal(readRunLock(dir)!.pid, process.ppid, 'a refused writer leaves the lock alone');
});

test('a stale lock of a dead process on this host is taken over; one from another host is never taken', () => {
  const dir = tempDir('lock');
  const dead = deadPid();
  writeLock(dir, dead);
  assert.equal(isLockedByOther(dir), null);
  const lock = acquireRunLock(dir);
  assert.equal(readRunLock(dir)!.pid, process.pid);
  lock.release();

  writeLock(dir, dead, 'some-other-host.example');
  assert.throws(() => acquireRunLock(dir), lockedCode({ host: 'some-other-host.example', pid: dead }));
  // A torn lock file (a writer killed mid-write) holds no live pid: taken over.
  writeFileSync(join(dir, LOCK_FILE), '{"pid": 12');
  acquireRunLock(dir).release();
});

test('a new run folder appears with its lock inside; with `exact` an existing folder is refused instead of suffixed', () => {
  const parent = tempDir('lock');
  const a = createLockedRunFolder(parent, 'run-seed1');
  assert.equal(a.dir, join(parent, 'run-seed1'));
  assert.equal(readRunLock(a.dir)!.pid, process.pid);
  const b = createLockedRunFolder(parent, 'run-seed1');
  assert.equal(b.dir, join(parent, 'run-seed1-2'));
  b.lock.release();
  assert.throws(() => createLockedRunFolder(parent, 'run-seed1', { exact: true }), lockedCode({ dir: join(parent, 'run-seed1') }));
  writeFileSync(join(a.dir, 'manifest.json'), '{}');
  a.lock.release();
  assert.throws(() => createLockedRunFolder(parent, 'run-seed1', { exact: true }), lockedCode({ pid: -1 }));
  mkdirSync(join(parent, 'empty'));
  const c = createLockedRunFolder(parent, 'empty', { exact: true });
  assert.equal(readFileSync(join(c.dir, LOCK_FILE), 'utf8').includes(String(process.pid)), true);
  c.lock.release();
});

test('evaluate respects the lock of a run that is being written', async () => {
  const dir = tempDir('lock');
  writeFileSync(join(dir, 'manifest.json'), '{}');
  writeFileSync(join(dir, 'config.resolved.json'), '{}');
  writeLock(dir, process.ppid);
  await assert.rejects(evaluateRun({ runDir: dir, registry: createPluginRegistry(), log: silentLogger(), checkpoint: 'last' }), lockedCode({ pid: process.ppid }));
});

test('the sweep removes temps of dead writers only (atomic-write temps and checkpoint temps)', () => {
  const dir = tempDir('sweep');
  const dead = deadPid();
  mkdirSync(join(dir, 'checkpoints', `last.tmp-${dead}`), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', `last.tmp-${dead}`, 'index.json'), '');
  mkdirSync(join(dir, 'checkpoints', `last.tmp-${process.ppid}`));
  mkdirSync(join(dir, 'checkpoints', 'last'));
  for (const name of [`.manifest.json.${dead}.0a1b2c3d.tmp`, `.summary.json.${dead}.ffee0011.tmp`, `.manifest.json.${process.ppid}.00000000.tmp`, 'manifest.json']) {
    writeFileSync(join(dir, name), '{}');
  }
  assert.deepEqual(sweepRunTemps(dir).sort(), [`.manifest.json.${dead}.0a1b2c3d.tmp`, `.summary.json.${dead}.ffee0011.tmp`, `checkpoints/last.tmp-${dead}`].sort());
  assert.deepEqual(readdirSync(dir).sort(), [`.manifest.json.${process.ppid}.00000000.tmp`, 'checkpoints', 'manifest.json']);
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['last', `last.tmp-${process.ppid}`]);
});
