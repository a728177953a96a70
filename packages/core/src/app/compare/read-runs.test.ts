import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';
import { MATRIX_INDEX, readMatrix, readRunFolder } from './read-runs.js';
import { computeResults, formatMarkdown } from './results-table.js';

const root = mkdtempSync(join(tmpdir(), 'ungreedy-read-runs-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const epoch = (e: number, acc: unknown = 50): string =>
  JSON.stringify({ type: 'epoch', epoch: e, lr: 0.1, train: { loss: 1, acc, accHeads: [acc], samples: 4 }, val: null, test: null, seconds: 1 });

/** A completed run folder of a hand-made matrix; `summaryText` / `metricsText` replace the good files. */
function run(out: string, label: string, seed: number, files: { summaryText?: string; metricsText?: string; acc?: unknown } = {}): string {
  const d = join(out, 'cm', label, `seed${seed}`);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'manifest.json'), JSON.stringify({ status: 'completed', startedAt: '2026-01-01T00:00:00Z' }));
  writeFileSync(join(d, 'summary.json'), files.summaryText ?? JSON.stringify({
    status: 'completed', seed, strategy: 'vanilla', modalities: [0, 1], modalityNames: ['a', 'b'], error: null,
    test: { acc: files.acc ?? 40 + seed, accHeads: [1, 2] }, utilization: null,
  }));
  writeFileSync(join(d, 'metrics.jsonl'), files.metricsText ?? `${epoch(1)}\n${epoch(2)}\n`);
  return d;
}

test('a string where a number belongs makes the run corrupt (file named), kept out of the mean and not pending', () => {
  const out = join(root, 'string');
  run(out, 'vanilla', 1);
  run(out, 'vanilla', 2);
  const bad = run(out, 'vanilla', 3, { acc: '4957.75' });
  const { index, runs } = readMatrix(out);
  const r3 = runs.find((r) => r.seed === 3)!;
  assert.equal(r3.pending, false);
  assert.equal(r3.error?.code, 'UNG_ERR_RUN_FILE_CORRUPT');
  assert.deepEqual(r3.corrupt.map((p) => [p.file, p.line]), [[join(bad, 'summary.json'), undefined]]);
  assert.match(r3.corrupt[0]!.message, /^\/test\/acc: .*"4957\.75"/);
  const row = computeResults(index, runs).datasets[0]!.rows[0]!;
  assert.deepEqual(row.completed, [1, 2]);
  assert.equal(row.testAcc!.mean, 41.5);
  assert.deepEqual(row.pending, []);
  assert.match(formatMarkdown(computeResults(index, runs)), /seed 3: corrupt \(UNG_ERR_RUN_FILE_CORRUPT\)/);
});

test('a bad metrics.jsonl line is reported with its line number; only a torn last line is a warning', () => {
  const out = join(root, 'metrics');
  const middle = run(out, 'vanilla', 1, { metricsText: `${epoch(1)}\n{"type":"epoch","epo\n${epoch(3)}\n` });
  const schema = run(out, 'vanilla', 2, { metricsText: `${epoch(1)}\n${epoch(2, 'x')}\n` });
  const torn = run(out, 'vanilla', 3, { metricsText: `${epoch(1)}\n${epoch(2)}\n{"type":"ep` });
  const r1 = readRunFolder(middle, { dataset: 'cm', label: 'vanilla', seed: 1 });
  assert.deepEqual(r1.corrupt.map((p) => p.line), [2]);
  const r2 = readRunFolder(schema, { dataset: 'cm', label: 'vanilla', seed: 2 });
  assert.deepEqual(r2.corrupt.map((p) => p.line), [2]);
  assert.match(r2.corrupt[0]!.message, /^\/train\/acc(Heads\/0)?: .*"x"/);
  const r3 = readRunFolder(torn, { dataset: 'cm', label: 'vanilla', seed: 3 });
  assert.deepEqual(r3.corrupt, []);
  assert.deepEqual(r3.warnings.map((p) => p.line), [3]);
  assert.deepEqual(r3.epochs.map((e) => e.epoch), [1, 2]);
  assert.equal(r3.error, null);
});

test('a torn or empty manifest.json / summary.json is corrupt, never pending', () => {
  const out = join(root, 'torn');
  const d = run(out, 'vanilla', 1, { summaryText: '{"status": "compl' });
  writeFileSync(join(d, 'manifest.json'), '');
  const r = readRunFolder(d, { dataset: 'cm', label: 'vanilla', seed: 1 });
  assert.equal(r.pending, false);
  assert.deepEqual(r.corrupt.map((p) => p.file).sort(), [join(d, 'manifest.json'), join(d, 'summary.json')]);
  assert.equal(r.corrupt.find((p) => p.file.endsWith('manifest.json'))!.message, 'is empty');
});

async function report(dir: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  const code = await main(['report', dir, '--no-tensorboard'], io);
  return { code, out, err };
}

test('report counts run folders (not cells of compare.json), warns on a torn tail, and exits 2 naming each corrupt file:line', async () => {
  const out = join(root, 'report');
  run(out, 'vanilla', 1);
  run(out, 'vanilla', 2, { metricsText: `${epoch(1)}\n{"type":"ep` });
  writeFileSync(join(out, MATRIX_INDEX), JSON.stringify({
    name: 'r', datasets: ['cm'], labels: ['vanilla'], failures: [],
    cells: [1, 2, 3].map((seed) => ({ id: `cm/vanilla/seed${seed}`, dataset: 'cm', label: 'vanilla', seed, kind: { type: 'strategy', use: 'vanilla' } })),
  }));
  const good = await report(out);
  assert.equal(good.code, 0, good.err.join('\n'));
  assert.match(good.out.at(-1)!, /\(2 run folders read: 2 completed; 1 of the matrix's 3 runs not started\)$/);
  assert.equal(good.err.length, 1);
  assert.match(good.err[0]!, /^warning: .*seed2\/metrics\.jsonl:2: torn last line/);

  run(out, 'vanilla', 3, { metricsText: `${epoch(1)}\n[1]\n${epoch(3)}\n` });
  const bad = await report(out);
  assert.equal(bad.code, 2);
  assert.ok(bad.err.some((l) => l.startsWith('UNG_ERR_RUN_FILE_CORRUPT: ')), bad.err.join('\n'));
  assert.match(bad.err.join('\n'), /seed3\/metrics\.jsonl:2: /);
  assert.match(bad.out.join('\n'), /seed 3: corrupt/);
});
