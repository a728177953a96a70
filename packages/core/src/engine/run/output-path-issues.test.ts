import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join, parse, relative } from 'node:path';
import { resolveExperiment } from '../assembly/load-experiment.js';
import type { ConfigIssue } from '../config/format-issues.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import { outputPathIssues } from './output-path-issues.js';
import { runExperiment } from '../assembly/run-experiment.js';

const root = parse(process.cwd()).root;

test('output.dir may not be the filesystem root; runName may not be ".", ".." or hold a path separator', () => {
  const dir = tempDir('paths');
  assert.deepEqual(outputPathIssues({ output: { dir: 'runs', runName: 'a-b.c' } }, dir), []);
  assert.deepEqual(outputPathIssues({ output: { dir: root } }, dir).map((i) => i.pointer), ['/output/dir']);
  const climbs = join(...dir.split(/[\\/]/).filter(Boolean).map(() => '..'));
  assert.deepEqual(outputPathIssues({ output: { dir: climbs } }, dir).map((i) => i.pointer), ['/output/dir']);
  for (const runName of ['.', '..', 'a/b', 'a\\b', ' ']) {
    assert.deepEqual(outputPathIssues({ output: { dir: 'runs', runName } }, dir).map((i) => i.value), [runName], runName);
  }
});

test('validate and run report them as UNG_ERR_CONFIG_INVALID with the rest of the config; run --out / is refused too, writing nothing', async () => {
  const dir = tempDir('paths');
  const file = join(dir, 'exp.json');
  const plugin = relative(dir, join(import.meta.dirname, '..', '..', 'app', 'compare', 'test-fixtures', 'compare-plugin.mjs'));
  const raw = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], output: { dir: root, runName: '..' } };
  writeFileSync(file, JSON.stringify(raw));
  await assert.rejects(resolveExperiment(raw, { file, configDir: dir, log: silentLogger() }), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'), String(err));
    const pointers = (err.data as { issues: ConfigIssue[] }).issues.map((i) => i.pointer);
    assert.ok(pointers.includes('/output/dir') && pointers.includes('/output/runName'), pointers.join(', '));
    return true;
  });
  const experiment = await resolveExperiment({ ...raw, output: { dir: 'runs' } }, { file, configDir: dir, log: silentLogger() });
  await assert.rejects(runExperiment({ experiment, target: { parent: root }, log: silentLogger(), progress: 'none' }), (err: unknown) => isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'));
  assert.ok(!existsSync(join(root, 'tiny-seed1')));
});
