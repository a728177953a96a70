import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '@ungreedy/core/app';
import { testBackendName } from '@ungreedy/core/testing';
import type { RunSummary } from '@ungreedy/core/engine';
import type { CliIo } from '@ungreedy/core/app';
import { tempDir } from './test-fixtures/fixtures.js';

// The whole user path through the real CLI: generate the mini set, then `ungreedy run` a config with the
// `cnn3d` encoder and MMTM on it (on the test backend: wasm, or UNGREEDY_TEST_BACKEND). Shapes are tiny so the
// run takes seconds on 2 cores.
const CONFIG = `
name: nvg-e2e
seed: 1
backend: ${testBackendName()}
plugins: ['@ungreedy/dataset-nvgesture']
dataset:
  use: nvgesture
  options:
    root: mini
    numClasses: 3
    size: { width: 16, height: 12 }
    cacheFrames: 6
    frames: 4
    temporalStride: 1
    crop: { width: 8, height: 8 }
model:
  encoders:
    - { use: cnn3d, options: { channels: [4, 8], pool: [1, 2, 2] } }
  fusion: { use: mmtm, options: {}, after: [0, 1] }
strategy: { use: vanilla, options: {} }
train:
  epochs: 3
  batchSize: 4
  evalBatchSize: 8
  optimizer: { type: sgd, lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false }
  scheduler: { type: none }
output: { dir: runs }
`;

function io(cwd: string): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), cwd, env: { ...process.env }, isTTY: false, lines };
}

describe('end to end', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it('ungreedy datasets make nvgesture-mini, then ungreedy run with cnn3d + MMTM, trains and evaluates', async () => {
    const make = io(dir);
    const args = ['--out', 'mini', '--classes', '3', '--per-class-train', '4', '--per-class-test', '2', '--size', '32x24', '--frames', '6'];
    assert.equal(await main(['datasets', 'make', 'nvgesture-mini', ...args], make), 0, make.lines.join('\n'));
    await writeFile(join(dir, 'e2e.yaml'), CONFIG);
    const run = io(dir);
    assert.equal(await main(['run', 'e2e.yaml'], run), 0, run.lines.join('\n'));
    const runDir = join(dir, 'runs', 'nvg-e2e-seed1');
    const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.status, 'completed');
    assert.deepEqual(summary.modalityNames, ['rgb', 'depth']);
    assert.equal(summary.epochs, 3);
    assert.ok(summary.test !== null && summary.test.acc >= 0 && summary.test.acc <= 100);
    const records = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; loss?: number });
    const steps = records.filter((r) => r.type === 'step');
    assert.equal(steps.length, 3 * 3, '12 training clips in batches of 4, three epochs');
    assert.ok(steps.every((s) => Number.isFinite(s.loss)));
    // The model learns something: the mean loss of the last epoch is below the first's.
    const mean = (xs: readonly { loss?: number }[]): number => xs.reduce((a, s) => a + s.loss!, 0) / xs.length;
    assert.ok(mean(steps.slice(6)) < mean(steps.slice(0, 3)), `${mean(steps.slice(0, 3))} -> ${mean(steps.slice(6))}`);
  });
});
