import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';
import type { PluginManifest } from '../../contract/plugin/manifest.js';
import { codedFsError } from '../util/fs-error.js';
import { loadConfigFile } from './load-config-file.js';
import { resolveExperiment } from '../assembly/load-experiment.js';
import { MAX_NESTING_DEPTH, MAX_YAML_ALIASES, parseJsonText, parseYamlText } from './parse-data-text.js';
import { validateConfig } from './validate-config.js';
import { fixturePlugin, fixtureRegistry } from './test-fixtures/fixture-plugin.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';
import { CORE_API_VERSION } from '../../contract/version/version.js';

const dir = mkdtempSync(join(tmpdir(), 'ungreedy-config-faults-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): UngreedyError {
  try {
    fn();
  } catch (err) {
    if (isUngreedyError(err)) return err;
    throw err;
  }
  assert.fail('expected an UngreedyError');
}

async function rejected(p: Promise<unknown>): Promise<UngreedyError> {
  try {
    await p;
  } catch (err) {
    if (isUngreedyError(err)) return err;
    throw err;
  }
  assert.fail('expected an UngreedyError');
}

const minimal = {
  dataset: { use: 'colored-mnist' },
  model: { encoders: [{ use: 'cnn' }] },
  strategy: { use: 'guided' },
};
/** For resolveExperiment, which adds core's built-ins (cnn, late, vanilla) itself. */
const withBuiltins = { ...minimal, strategy: { use: 'vanilla' } };

/** A registry holding one dataset-only plugin: the fixture's datasets, plus `described` when given. */
function datasetRegistry(describe?: NonNullable<NonNullable<PluginManifest['datasets']>[string]['describe']>) {
  const registry = createPluginRegistry();
  const base = fixturePlugin.datasets!['colored-mnist']!;
  registry.add({
    manifest: {
      meta: { name: 'fixture-datasets', version: '1.0.0', coreApi: `^${CORE_API_VERSION}` },
      datasets: { ...fixturePlugin.datasets, ...(describe === undefined ? {} : { described: { ...base, describe } }) },
    },
    specifier: 'fixture-datasets',
    resolvedFrom: 'test',
  });
  return registry;
}

test('a JSON config with a UTF-8 byte-order mark is read like one without', async () => {
  writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(minimal)}`);
  writeFileSync(join(dir, 'bom.yaml'), '\uFEFFdataset: { use: colored-mnist }\n');
  assert.deepEqual((await loadConfigFile(join(dir, 'bom.json'))).raw, minimal);
  assert.deepEqual((await loadConfigFile(join(dir, 'bom.yaml'))).raw, { dataset: { use: 'colored-mnist' } });
});

test('JSON nested deeper than the limit is refused before it is parsed, with line and column', () => {
  const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
  const err = thrown(() => parseJsonText(deep, 'deep.json'));
  assert.equal(err.code, 'UNG_ERR_CONFIG_PARSE');
  assert.deepEqual(err.data, { file: 'deep.json', line: 1, column: MAX_NESTING_DEPTH + 1, limit: MAX_NESTING_DEPTH });
  // Brackets inside strings do not count; the limit itself is allowed.
  assert.deepEqual(parseJsonText(JSON.stringify({ s: '[[[[{{{{'.repeat(100) }), 'ok.json'), { s: '[[[[{{{{'.repeat(100) });
  const atLimit = `${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`;
  assert.doesNotThrow(() => parseJsonText(atLimit, 'ok.json'));
});

test('YAML nested deeper than the limit, and a YAML alias bomb, are coded parse errors', () => {
  const deep = thrown(() => parseYamlText(`a: ${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}\n`, 'deep.yaml'));
  assert.equal(deep.code, 'UNG_ERR_CONFIG_PARSE');
  assert.equal(deep.data['limit'], MAX_NESTING_DEPTH);
  const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 8; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const bomb = thrown(() => parseYamlText(`${levels.join('\n')}\n`, 'bomb.yaml'));
  assert.equal(bomb.code, 'UNG_ERR_CONFIG_PARSE');
  assert.deepEqual(bomb.data, { file: 'bomb.yaml', limit: MAX_YAML_ALIASES });
  // A few honest aliases still work.
  assert.deepEqual(parseYamlText('a: &a { lr: 1 }\nb: *a\n', 'ok.yaml'), { a: { lr: 1 }, b: { lr: 1 } });
});

test('an empty or torn JSON file names the file; a run file gets its own code', () => {
  const empty = thrown(() => parseJsonText('', 'x/manifest.json', { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run manifest' }));
  assert.equal(empty.code, 'UNG_ERR_RUN_FILE_CORRUPT');
  assert.equal(empty.data['file'], 'x/manifest.json');
  const torn = thrown(() => parseJsonText('{"a": 1,\n "b": [1, 2', 'c.json'));
  assert.equal(torn.code, 'UNG_ERR_CONFIG_PARSE');
  assert.equal(torn.data['line'], 2);
});

test('a config path that is a folder is reported as a folder, not as missing', async () => {
  mkdirSync(join(dir, 'folder.json'), { recursive: true });
  const err = await rejected(loadConfigFile(join(dir, 'folder.json')));
  assert.equal(err.code, 'UNG_ERR_FS_IS_FOLDER');
  assert.equal(err.data['path'], join(dir, 'folder.json'));
  const missing = await rejected(loadConfigFile(join(dir, 'nope.json')));
  assert.equal(missing.code, 'UNG_ERR_CONFIG_NOT_FOUND');
});

test('permission, read-only, full-disk and folder errno errors become coded errors naming the path', () => {
  const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: boom`), { code, syscall: 'open', path: '/p/f' });
  const cases: [string, string][] = [
    ['EACCES', 'UNG_ERR_FS_PERMISSION'],
    ['EPERM', 'UNG_ERR_FS_PERMISSION'],
    ['EROFS', 'UNG_ERR_FS_READ_ONLY'],
    ['ENOSPC', 'UNG_ERR_FS_NO_SPACE'],
    ['EDQUOT', 'UNG_ERR_FS_NO_SPACE'],
    ['EISDIR', 'UNG_ERR_FS_IS_FOLDER'],
  ];
  for (const [raw, code] of cases) {
    const err = codedFsError(errno(raw), undefined, 'write');
    assert.ok(isUngreedyError(err), raw);
    assert.equal(err.code, code, raw);
    assert.deepEqual(err.data, { path: '/p/f', errno: raw });
    assert.equal((err.cause as NodeJS.ErrnoException).code, raw);
  }
  const other = new Error('plain');
  assert.equal(codedFsError(other), other);
  const enoent = errno('ENOENT');
  assert.equal(codedFsError(enoent), enoent);
});

test('non-finite numbers and absurd sizes are refused by the core schema', async () => {
  writeFileSync(join(dir, 'inf.yaml'), 'dataset: { use: colored-mnist }\nmodel: { encoders: [{ use: cnn }] }\nstrategy: { use: guided }\ntrain:\n  epochs: 1e12\n  optimizer: { type: sgd, lr: .inf }\n');
  const { raw } = await loadConfigFile(join(dir, 'inf.yaml'));
  const err = thrown(() => validateConfig(raw, { registry: fixtureRegistry(), file: 'inf.yaml' }));
  assert.equal(err.code, 'UNG_ERR_CONFIG_INVALID');
  const pointers = (err.data['issues'] as { pointer: string }[]).map((i) => i.pointer).sort();
  assert.deepEqual(pointers, ['/train/epochs', '/train/optimizer/lr']);
  assert.match(err.message, /Infinity/);
  const nan = thrown(() => validateConfig({ ...minimal, metrics: { speedLogBase: Number.NaN } }, { registry: fixtureRegistry(), file: 'x' }));
  assert.deepEqual((nan.data['issues'] as { pointer: string }[]).map((i) => i.pointer), ['/metrics/speedLogBase']);
});

test('a missing plugin is one issue among the others, and a lone plugin failure keeps its code', async () => {
  const many = await rejected(resolveExperiment(
    { ...withBuiltins, plugins: ['./no-such-plugin.mjs'], train: { epochs: 0 }, dataset: { use: 'colored-mnist', options: { samples: 0 } } },
    { file: 'exp.json', configDir: dir, registry: datasetRegistry() },
  ));
  assert.equal(many.code, 'UNG_ERR_CONFIG_INVALID');
  const pointers = (many.data['issues'] as { pointer: string }[]).map((i) => i.pointer).sort();
  assert.deepEqual(pointers, ['/dataset/options/samples', '/plugins/0', '/train/epochs']);
  const lone = await rejected(resolveExperiment({ ...withBuiltins, plugins: ['./no-such-plugin.mjs'] }, { file: 'exp.json', configDir: dir, registry: datasetRegistry() }));
  assert.equal(lone.code, 'UNG_ERR_PLUGIN_NOT_FOUND');
});

test('the config is checked against the dataset\'s describe(): modalities, encoder count, its own problems, empty splits', async () => {
  const registry = (): ReturnType<typeof datasetRegistry> => datasetRegistry((options: { samples: number }) => ({
    modalities: [{ name: 'rgb', shape: [8, 8, 3] }, { name: 'gray', shape: [8, 8, 1] }],
    numClasses: 10,
    sizes: { train: options.samples > 50 ? 0 : options.samples, test: 5 },
    problems: options.samples > 50 ? [{ pointer: '/samples', message: `must be at most 50 (the data holds 50), but got ${options.samples}`, value: options.samples }] : [],
  }));
  const ok = await resolveExperiment({ ...withBuiltins, dataset: { use: 'described', options: { samples: 10 } } }, { file: 'x', configDir: dir, registry: registry() });
  assert.equal(ok.config.dataset.use, 'described');
  const err = await rejected(resolveExperiment({
    ...withBuiltins,
    dataset: { use: 'described', options: { samples: 99 } },
    model: { modalities: [0, 2], encoders: [{ use: 'cnn' }, { use: 'cnn' }, { use: 'cnn' }] },
  }, { file: 'x', configDir: dir, registry: registry() }));
  assert.equal(err.code, 'UNG_ERR_CONFIG_INVALID');
  const pointers = (err.data['issues'] as { pointer: string }[]).map((i) => i.pointer);
  assert.deepEqual(pointers, ['/model/encoders', '/model/modalities', '/dataset/options/samples', '/dataset/options']);
  // All modalities used (no list): three encoders for two modalities is wrong.
  const three = await rejected(resolveExperiment(
    { ...withBuiltins, dataset: { use: 'described', options: { samples: 10 } }, model: { encoders: [{ use: 'cnn' }, { use: 'cnn' }, { use: 'cnn' }] } },
    { file: 'x', configDir: dir, registry: registry() },
  ));
  assert.deepEqual((three.data['issues'] as { pointer: string }[]).map((i) => i.pointer), ['/model/encoders']);
});

test('a dataset error thrown by describe() becomes an issue at its option', async () => {
  const registry = datasetRegistry(() => {
    throw new UngreedyError('UNG_ERR_DATASET_MISSING', 'data root /nope must exist, but it does not.', { option: 'root' });
  });
  const err = await rejected(resolveExperiment({ ...withBuiltins, dataset: { use: 'described' } }, { file: 'x', configDir: dir, registry }));
  assert.deepEqual((err.data['issues'] as { pointer: string }[]).map((i) => i.pointer), ['/dataset/options/root']);
});

test('validate checks model.fusion.after and model.heads: shared against the encoders\' declared stages and feature sizes, without building them', async () => {
  const registry = (): ReturnType<typeof datasetRegistry> => datasetRegistry(() => ({
    modalities: [{ name: 'rgb', shape: [8, 8, 3] }, { name: 'gray', shape: [8, 8, 1] }],
    numClasses: 10,
  }));
  const dataset = { use: 'described', options: { samples: 10 } };
  const resolve = (model: object) => resolveExperiment({ ...withBuiltins, dataset, model }, { file: 'x', configDir: dir, registry: registry() });
  const ok = await resolve({ encoders: [{ use: 'cnn', options: { channels: [4, 8, 8] } }], fusion: { use: 'mmtm', after: [0, 2] } });
  assert.deepEqual(ok.config.model.fusion.after, [0, 2]);
  // Two modalities from the dataset's description; cnn declares 3 stages, resnet18 4: position 3 is past cnn's.
  const err = await rejected(resolve({ encoders: [{ use: 'resnet18' }, { use: 'cnn', options: { channels: [4, 8, 8] } }], fusion: { use: 'mmtm', after: [1, 3] } }));
  assert.equal(err.code, 'UNG_ERR_CONFIG_INVALID');
  const issues = err.data['issues'] as { pointer: string; message: string }[];
  assert.deepEqual(issues.map((i) => i.pointer), ['/model/fusion/after/1']);
  assert.match(issues[0]!.message, /\[0, 2\].*encoder "cnn" \(model\.encoders\[1\]\) has 3 stages, but got 3/);
  assert.match(err.message, /model\.fusion\.after\[1\]|\/model\/fusion\/after\/1/);
  // Late fusion has no positions; a shared head needs equal feature sizes (resnet18: 512, cnn here: 8).
  const late = await rejected(resolve({ encoders: [{ use: 'cnn' }], fusion: { use: 'late', after: [0] } }));
  assert.deepEqual((late.data['issues'] as { pointer: string }[]).map((i) => i.pointer), ['/model/fusion/after']);
  const heads = await rejected(resolve({ encoders: [{ use: 'resnet18' }, { use: 'cnn', options: { channels: [4, 8, 8] } }], heads: 'shared' }));
  const headIssue = (heads.data['issues'] as { pointer: string; message: string }[])[0]!;
  assert.equal(headIssue.pointer, '/model/heads');
  assert.match(headIssue.message, /"resnet18"\) gives 512, .*"cnn"\) gives 8/);
  // One modality chosen: fusion settings are ignored, as the model build does.
  await resolve({ modalities: [0], encoders: [{ use: 'cnn' }], fusion: { use: 'mmtm', after: [7] } });
});
