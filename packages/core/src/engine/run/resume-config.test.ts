import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../../app/cli/cli-command.js';
import { main } from '../../app/cli/main.js';
import { resolveExperiment } from '../assembly/load-experiment.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import { RUN_FILES } from './file-run-store.js';
import type { RunManifest } from './metric-records.js';
import { runExperiment } from '../assembly/run-experiment.js';

const fixturePlugin = join(import.meta.dirname, '..', '..', 'app', 'compare', 'test-fixtures', 'compare-plugin.mjs');

test('resume refuses a config.resolved.json edited since the checkpoint, naming the fields; the folder is left as it was', async () => {
  const dir = tempDir('resume-config');
  const plugin = relative(dir, fixturePlugin);
  writeFileSync(join(dir, 'exp.json'), JSON.stringify({ ...TINY_EXPERIMENT, name: 'rc', plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], train: { ...(TINY_EXPERIMENT['train'] as object), epochs: 1 } }));
  const io: CliIo = { out: () => {}, err: () => {}, cwd: dir, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  assert.equal(await main(['run', 'exp.json', '--out', 'runs'], io), 0);
  const runDir = join(dir, 'runs', 'rc-seed1');
  const configFile = join(runDir, RUN_FILES.config);
  const original = readFileSync(configFile, 'utf8');
  const edited = JSON.parse(original) as { seed: number; train: { epochs: number }; dataset: { options: { sizes: { train: number } } } };
  edited.seed = 7;
  edited.train.epochs = 3;
  edited.dataset.options.sizes.train = 30;
  writeFileSync(configFile, JSON.stringify(edited));
  const before = readFileSync(join(runDir, RUN_FILES.manifest), 'utf8');

  const manifest = JSON.parse(before) as RunManifest;
  const experiment = await resolveExperiment(edited, { file: configFile, configDir: manifest.config?.dir ?? runDir, log: silentLogger() });
  await assert.rejects(runExperiment({ experiment, target: { resume: runDir }, log: silentLogger(), progress: 'none' }), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CHECKPOINT_MISMATCH'), String(err));
    assert.deepEqual((err.data as { fields: string[] }).fields, ['/dataset/options/sizes/train', '/seed', '/train/epochs']);
    return true;
  });
  assert.equal(readFileSync(join(runDir, RUN_FILES.manifest), 'utf8'), before, 'the refused resume wrote nothing');
  assert.equal(await main(['run', '--resume', runDir], io), 2);

  // The run's own config resumes (a finished run only re-evaluates), and --backend may differ.
  writeFileSync(configFile, original);
  assert.equal(await main(['run', '--resume', runDir, '--backend', 'cpu'], io), 0);
});
