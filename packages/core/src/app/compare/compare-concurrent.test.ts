import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunManifest } from '../../engine/run/metric-records.js';
import { LOCK_FILE } from '../../engine/run/run-lock.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import { cellEntry } from './run-matrix.js';

const fixturePlugin = join(import.meta.dirname, 'test-fixtures', 'compare-plugin.mjs');

function workspace(): { dir: string; file: string } {
  const dir = tempDir('compare-two');
  const plugin = relative(dir, fixturePlugin);
  const base = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`] };
  const file = join(dir, 'compare.json');
  writeFileSync(file, JSON.stringify({ name: 'two', base, unimodal: false, seeds: [1, 2], strategies: [{ label: 'vanilla', use: 'vanilla' }], output: { dir: 'out' } }));
  return { dir, file };
}

function compare(dir: string, file: string, extra: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const entry = cellEntry();
  const child = spawn(process.execPath, [...entry.execArgv, entry.file, 'compare', file, ...extra], {
    cwd: dir,
    env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

/** The table lines of compare's output (between the blank lines after the progress lines). */
const table = (stdout: string): string => stdout.split('\n').filter((l) => l.startsWith('|')).join('\n');

test('two compares started at once on one folder train each cell once and print the same table', async () => {
  const { dir, file } = workspace();
  const a = compare(dir, file);
  const b = compare(dir, file);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.equal(ra.code, 0, ra.stdout + ra.stderr);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  const cells = join(dir, 'out', 'tiny', 'vanilla');
  // One folder per seed: no `seed1-2` from a second training, no `seed1.failed-1` from a live folder moved aside.
  assert.deepEqual(readdirSync(cells).filter((n) => !n.endsWith('.console.log')).sort(), ['seed1', 'seed2']);
  for (const seed of ['seed1', 'seed2']) {
    const m = JSON.parse(readFileSync(join(cells, seed, 'manifest.json'), 'utf8')) as RunManifest;
    assert.equal(m.status, 'completed', seed);
    assert.deepEqual(m.resumedAt, [], `${seed} was trained once, from the start`);
    const epochs = readFileSync(join(cells, seed, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith('{"type":"epoch"'));
    assert.equal(epochs.length, 2, `${seed}: one record per epoch`);
    assert.ok(!existsSync(join(cells, seed, LOCK_FILE)));
  }
  assert.notEqual(table(ra.stdout), '');
  assert.equal(table(ra.stdout), table(rb.stdout));
});

test('cells die with their compare: after SIGKILL of compare the running cell checkpoints, releases its lock, and the rerun resumes it', async () => {
  const { dir, file } = workspace();
  const seed1 = join(dir, 'out', 'tiny', 'vanilla', 'seed1');
  const a = compare(dir, file);
  const end = Date.now() + 60_000;
  while (!(existsSync(join(seed1, 'metrics.jsonl')) && readFileSync(join(seed1, 'metrics.jsonl'), 'utf8').includes('"type":"step"'))) {
    if (Date.now() > end) throw new Error('no step record');
    await new Promise((r) => setTimeout(r, 10));
  }
  a.child.kill('SIGKILL');
  await a.done;
  const until = Date.now() + 30_000;
  while (existsSync(join(seed1, LOCK_FILE))) {
    if (Date.now() > until) throw new Error('the orphaned cell kept its lock');
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = JSON.parse(readFileSync(join(seed1, 'manifest.json'), 'utf8')) as RunManifest;
  assert.ok(m.status === 'interrupted' || m.status === 'completed', m.status);
  const again = compare(dir, file);
  const r = await again.done;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(join(dir, 'out', 'tiny', 'vanilla')).filter((n) => !n.endsWith('.console.log')).sort(), ['seed1', 'seed2']);
});

let reference: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
/** One uninterrupted `compare --jobs 2` of the same matrix, the table the interrupted ones must end with. */
async function uninterrupted(): Promise<{ stdout: string }> {
  reference ??= (() => {
    const w = workspace();
    return compare(w.dir, w.file, ['--jobs', '2']).done;
  })();
  const ref = await reference;
  assert.equal(ref.code, 0, ref.stdout + ref.stderr);
  return ref;
}

async function untilStepped(cells: string): Promise<void> {
  const end = Date.now() + 60_000;
  const stepped = (seed: string): boolean => existsSync(join(cells, seed, 'metrics.jsonl')) && readFileSync(join(cells, seed, 'metrics.jsonl'), 'utf8').includes('"type":"step"');
  while (!stepped('seed1') && !stepped('seed2')) {
    if (Date.now() > end) throw new Error('no step record');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('Ctrl-C (SIGINT) to `compare --jobs 2` is forwarded to its cells: exit 130, started cells interrupted with a checkpoint; the rerun resumes them to an uninterrupted compare\'s table', async () => {
  const { dir, file } = workspace();
  const cells = join(dir, 'out', 'tiny', 'vanilla');
  const a = compare(dir, file, ['--jobs', '2']);
  await untilStepped(cells);
  a.child.kill('SIGINT');
  const first = await a.done;
  assert.equal(first.code, 130, first.stdout + first.stderr);
  for (const seed of readdirSync(cells).filter((n) => n.startsWith('seed') && !n.endsWith('.console.log'))) {
    const m = JSON.parse(readFileSync(join(cells, seed, 'manifest.json'), 'utf8')) as RunManifest;
    assert.ok(m.status === 'interrupted' || m.status === 'completed', `${seed}: ${m.status}`);
    if (m.status === 'interrupted') assert.ok(existsSync(join(cells, seed, 'checkpoints', 'last', 'index.json')), `${seed} checkpointed`);
    assert.ok(!existsSync(join(cells, seed, LOCK_FILE)), `${seed} released its lock`);
  }
  const r = await compare(dir, file, ['--jobs', '2']).done;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(table(r.stdout), table((await uninterrupted()).stdout));
});

test('kill -9 of `compare --jobs 2` mid-run, then an immediate rerun: no cell gets two writers, no live folder is moved aside, and the table equals an uninterrupted compare\'s', async () => {
  const ref = await uninterrupted();

  const { dir, file } = workspace();
  const cells = join(dir, 'out', 'tiny', 'vanilla');
  const a = compare(dir, file, ['--jobs', '2']);
  await untilStepped(cells);
  a.child.kill('SIGKILL');
  await a.done;
  // At once, while the orphaned cells may still be writing their checkpoints.
  const r = await compare(dir, file, ['--jobs', '2']).done;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(cells).filter((n) => !n.endsWith('.console.log')).sort(), ['seed1', 'seed2'], 'no seed1-2, no seed1.failed-1');
  for (const seed of ['seed1', 'seed2']) {
    const m = JSON.parse(readFileSync(join(cells, seed, 'manifest.json'), 'utf8')) as RunManifest;
    assert.equal(m.status, 'completed', seed);
    const lines = readFileSync(join(cells, seed, 'metrics.jsonl'), 'utf8').trim().split('\n');
    // One writer at a time: every line whole, one record per epoch, steps numbered without repeats.
    const records = lines.map((l) => JSON.parse(l) as { type: string; epoch?: number; step?: number; mode?: string });
    assert.equal(records.filter((x) => x.type === 'epoch').length, 2, `${seed}: one record per epoch`);
    const steps = records.filter((x) => x.type === 'step').map((x) => `${x.epoch}/${x.step}/${x.mode}`);
    assert.equal(new Set(steps).size, steps.length, `${seed}: no step recorded twice`);
  }
  assert.notEqual(table(r.stdout), '');
  assert.equal(table(r.stdout), table(ref.stdout));
});
