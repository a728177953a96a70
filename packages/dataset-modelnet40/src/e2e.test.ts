import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from './test-fixtures/helpers.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '../scripts/e2e-mini.mts');
let work: string;
before(async () => {
  work = await tempDir('ungreedy-mn40-e2e-');
});
after(() => removeDir(work));

test('a generated mini set and recipes/modelnet40-mini.yaml train end to end with trainExperiment (cpu)', () => {
  // 3 classes × (6 train + 3 test) at 16 px, small CNN branches + MMTM, 8 epochs: about 15 s on one core.
  const run = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', script, '--out', work, '--epochs', '8'], {
    encoding: 'utf8',
    env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' },
  });
  assert.equal(run.status, 0, run.stderr);
  const { runDir, summary } = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.dataset, 'modelnet40');
  assert.deepEqual(summary.modalityNames, ['view1', 'view7']);
  assert.equal(summary.epochs, 8);
  // Chance is 33 %: the labels, views and pixels reach the model intact.
  assert.ok(summary.test.acc > 60, `test accuracy ${summary.test.acc}`);
  return readFile(join(runDir, 'manifest.json'), 'utf8').then((text) => {
    const manifest = JSON.parse(text);
    assert.deepEqual(manifest.dataset.sizes, { train: 15, val: 3, test: 9 });
    assert.equal(manifest.dataset.skippedSamples, 0);
  });
});
