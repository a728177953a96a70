import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from './test-fixtures/helpers.js';

const scripts = join(dirname(fileURLToPath(import.meta.url)), '../scripts');
const script = join(scripts, 'e2e-mini.mts');
let work: string;
before(async () => {
  work = await tempDir('ungreedy-mn40-e2e-');
});
after(() => removeDir(work));

test('ungreedy datasets make modelnet40-mini, then ungreedy run on recipes/modelnet40-mini.yaml (shrunk), trains end to end on cpu', () => {
  // 3 classes × (10 train + 5 test) at 16 px, small CNN branches + MMTM, 8 epochs: about 20 s on one core.
  const run = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', 'tsx', script, '--out', work, '--epochs', '8', '--per-class', '10'], {
    encoding: 'utf8',
    env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' },
  });
  assert.equal(run.status, 0, run.stderr);
  const { runDir, summary } = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.dataset, 'modelnet40');
  assert.deepEqual(summary.modalityNames, ['view1', 'view7']);
  assert.equal(summary.epochs, 8);
  // Chance is 33 % (15 test objects): the labels, views and pixels reach the model intact.
  assert.ok(summary.test.acc > 60, `test accuracy ${summary.test.acc}`);
  // The dataset's view cache went to UNGREEDY_CACHE_DIR, and the run folder holds the run's records.
  assert.equal(readdirSync(join(work, 'cache', 'modelnet40')).filter((f) => f.startsWith('views-')).length, 1);
  assert.ok(readdirSync(runDir).includes('metrics.jsonl'));
});

test('recipes/modelnet40-paper.yaml and modelnet40-mini.yaml pass ungreedy validate (plugins, every component schema)', () => {
  const run = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', 'tsx', join(scripts, 'validate-recipes.mts')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // Without the data in place, the only problem validate may report is the missing data root.
  const results = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
  assert.deepEqual(Object.keys(results), ['modelnet40-mini.yaml', 'modelnet40-paper.yaml']);
  for (const [name, code] of Object.entries(results)) assert.ok(code === 0 || code === 'no data', `${name}: ${code}`);
});
