import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../cli-command.js';
import { main } from '../main.js';
import { MATRIX_INDEX } from '../../compare/read-runs.js';
import { writeHandRun } from '../../report/test-fixtures/hand-made-matrix.js';

const root = mkdtempSync(join(tmpdir(), 'ungreedy-report-command-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

async function report(dir: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  return { code: await main(['report', dir, '--no-tensorboard'], io), out, err };
}

const labels = ['unimodal-m0', 'unimodal-m1', 'vanilla', 'rubi', 'random', 'guided'];

/**
 * The quickstart's 18-cell matrix with 6 run folders: 3 completed, 1 running, 1 failed, 1 completed after a
 * failed attempt that compare kept aside, plus a kept-aside attempt whose cell has no folder yet.
 */
function partialMatrix(out: string, withIndex: boolean): void {
  writeHandRun(out, { label: 'unimodal-m0', seed: 1, modalities: [0] });
  writeHandRun(out, { label: 'vanilla', seed: 1 });
  writeHandRun(out, { label: 'vanilla', seed: 2 });
  writeHandRun(out, { label: 'guided', seed: 1, status: 'running' });
  writeHandRun(out, { label: 'rubi', seed: 1, status: 'failed' });
  writeHandRun(out, { label: 'random', seed: 1, status: 'failed', folder: 'seed1.failed-1' });
  writeHandRun(out, { label: 'random', seed: 1 });
  writeHandRun(out, { label: 'random', seed: 2, status: 'failed', folder: 'seed2.failed-1' });
  mkdirSync(join(out, 'cm', 'rubi', 'seed3'), { recursive: true }); // made, nothing written yet: not a run folder
  if (withIndex) {
    writeFileSync(join(out, MATRIX_INDEX), JSON.stringify({
      name: 'quickstart', datasets: ['cm'], labels, failures: [],
      cells: labels.flatMap((label) => [1, 2, 3].map((seed) => ({
        id: `cm/${label}/seed${seed}`, dataset: 'cm', label, seed,
        kind: label.startsWith('unimodal') ? { type: 'unimodal', modality: Number(label.at(-1)) } : { type: 'strategy', use: label },
      }))),
    }));
  }
}

test('report counts the run folders that exist (6 of 18 cells), by state, and the kept-aside attempts apart', async () => {
  const out = join(root, 'indexed');
  partialMatrix(out, true);
  const r = await report(out);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.match(r.out.at(-1)!, /\(6 run folders read: 4 completed, 1 partial \(running or interrupted\), 1 failed; 12 of the matrix's 18 runs not started; 2 kept-aside attempts \(seed<k>\.failed-<n>\) not read\)$/);
});

test('without compare.json the same folders are found by walking the matrix, and none is counted as not started', async () => {
  const out = join(root, 'walked');
  partialMatrix(out, false);
  const r = await report(out);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.match(r.out.at(-1)!, /\(6 run folders read: 4 completed, 1 partial \(running or interrupted\), 1 failed; 2 kept-aside attempts \(seed<k>\.failed-<n>\) not read\)$/);
});
