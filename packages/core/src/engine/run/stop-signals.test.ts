import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../../app/cli/cli-command.js';
import { main } from '../../app/cli/main.js';
import { exited, ungreedy, until } from '../../app/compare/test-fixtures/cli-child.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import type { MetricRecord, RunManifest } from './metric-records.js';
import { LOCK_FILE } from './run-lock.js';

const fixturePlugin = join(import.meta.dirname, '..', '..', 'app', 'compare', 'test-fixtures', 'compare-plugin.mjs');

/** A folder with a tiny config of many short steps (48 train samples, batch 8, `epochs` epochs). */
function workspace(epochs: number): { dir: string; config: string } {
  const dir = tempDir('signals');
  const plugin = relative(dir, fixturePlugin);
  const config = {
    ...TINY_EXPERIMENT,
    name: 'sig',
    plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`],
    dataset: { use: 'tiny', options: { ...(TINY_EXPERIMENT['dataset'] as { options: object }).options, sizes: { train: 48, val: 6, test: 12 } } },
    train: { ...(TINY_EXPERIMENT['train'] as object), epochs },
    output: { dir: 'runs' },
  };
  writeFileSync(join(dir, 'exp.json'), JSON.stringify(config));
  return { dir, config: join(dir, 'exp.json') };
}

const stepCount = (runDir: string): number => {
  const file = join(runDir, 'metrics.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"step"')).length : 0;
};

/** Metric lines without wall-clock fields, for bit-equality. */
function records(runDir: string): MetricRecord[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l) as MetricRecord;
    return r.type === 'epoch' ? { ...r, seconds: 0 } : r;
  });
}

async function cli(argv: string[], cwd: string): Promise<number> {
  const io: CliIo = { out: () => {}, err: () => {}, cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  return main(argv, io);
}

const manifest = (runDir: string): RunManifest => JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;

test('kill -INT stops a training run within a step: exit 130, checkpoint, manifest interrupted, lock released; --resume is bit-equal to an uninterrupted run', async () => {
  const { dir, config } = workspace(12);
  const runDir = join(dir, 'runs', 'sig-seed1');
  const child = ungreedy(['run', config], dir);
  const done = exited(child);
  await until('a step record', () => stepCount(runDir) >= 1);
  const killedAt = Date.now();
  const stepsAtKill = stepCount(runDir);
  child.kill('SIGINT');
  const { code, stdout, stderr } = await done;
  assert.equal(code, 130, stdout + stderr);
  assert.ok(Date.now() - killedAt < 10_000, `stopped after ${Date.now() - killedAt} ms`);
  assert.ok(stepCount(runDir) <= stepsAtKill + 2, `steps at kill ${stepsAtKill}, at exit ${stepCount(runDir)} of 72`);
  assert.equal(manifest(runDir).status, 'interrupted');
  assert.ok(existsSync(join(runDir, 'checkpoints', 'last', 'index.json')));
  assert.ok(!existsSync(join(runDir, LOCK_FILE)), 'the lock is released');
  assert.match(stdout, /ungreedy run --resume/);

  assert.equal(await cli(['run', '--resume', runDir], dir), 0);
  assert.equal(await cli(['run', config, '--out', 'full'], dir), 0);
  assert.equal(manifest(runDir).status, 'completed');
  assert.deepEqual(records(runDir), records(join(dir, 'full', 'sig-seed1')));
});

test('kill -TERM checkpoints too and exits 143; a second signal quits at once', async () => {
  const { dir, config } = workspace(12);
  const runDir = join(dir, 'runs', 'sig-seed1');
  const child = ungreedy(['run', config], dir);
  const done = exited(child);
  await until('a step record', () => stepCount(runDir) >= 1);
  child.kill('SIGTERM');
  const { code } = await done;
  assert.equal(code, 143);
  assert.equal(manifest(runDir).status, 'interrupted');
  assert.ok(existsSync(join(runDir, 'checkpoints', 'last', 'index.json')));


  // Two signals at once: the second quits without waiting for the step to end or the checkpoint.
  const again = ungreedy(['run', '--resume', runDir], dir);
  const second = exited(again);
  await until('the resumed run', () => manifest(runDir).status === 'running');
  again.kill('SIGINT');
  again.kill('SIGINT');
  const r = await second;
  assert.equal(r.code, 130, r.stdout + r.stderr);
});

test('a process started with an IPC channel stops with a checkpoint when its parent goes away', async () => {
  const { dir, config } = workspace(30);
  const runDir = join(dir, 'runs', 'sig-seed1');
  const child = ungreedy(['run', config], dir, true);
  const done = exited(child);
  await until('a step record', () => stepCount(runDir) >= 1);
  child.disconnect();
  const { code } = await done;
  assert.equal(code, 143);
  assert.equal(manifest(runDir).status, 'interrupted');
  assert.ok(existsSync(join(runDir, 'checkpoints', 'last', 'index.json')));
  assert.deepEqual(readdirSync(join(dir, 'runs')), ['sig-seed1']);
});
