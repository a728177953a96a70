import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { loadConfigFile } from './load-config-file.js';
import { validateConfig } from './validate-config.js';
import { fixtureRegistry } from './test-fixtures/fixture-plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'ungreedy-config-'));

const yamlText = `# a comment
name: cmnist
seed: 3
dataset:
  use: colored-mnist
  options: { samples: 10 }
model:
  encoders:
    - use: cnn
  fusion: { use: mmtm, after: [0] }
strategy:
  use: guided
  options:
    alpha: 0.5
`;
const jsonValue = {
  name: 'cmnist',
  seed: 3,
  dataset: { use: 'colored-mnist', options: { samples: 10 } },
  model: { encoders: [{ use: 'cnn' }], fusion: { use: 'mmtm', after: [0] } },
  strategy: { use: 'guided', options: { alpha: 0.5 } },
};

test('YAML and JSON files give the same config and the same resolved config', async () => {
  writeFileSync(join(dir, 'a.yaml'), yamlText);
  writeFileSync(join(dir, 'a.json'), JSON.stringify(jsonValue, null, 2));
  const y = await loadConfigFile(join(dir, 'a.yaml'));
  const j = await loadConfigFile('a.json', dir);
  assert.deepEqual(y.raw, jsonValue);
  assert.deepEqual(j.raw, jsonValue);
  assert.equal(j.dir, dir);
  assert.equal(j.file, join(dir, 'a.json'));
  const registry = fixtureRegistry();
  assert.deepEqual(validateConfig(y.raw, { registry, file: y.file }), validateConfig(j.raw, { registry, file: j.file }));
});

test('a module config default-exports the config (defineConfig)', async () => {
  const core = pathToFileURL(join(import.meta.dirname, 'define-config.ts')).href;
  writeFileSync(join(dir, 'c.mjs'), `import { defineConfig } from '${core}';\nexport default defineConfig(${JSON.stringify(jsonValue)});\n`);
  assert.deepEqual((await loadConfigFile(join(dir, 'c.mjs'))).raw, jsonValue);
});

test('syntax errors are UNG_ERR_CONFIG_PARSE with the line and column', async () => {
  writeFileSync(join(dir, 'bad.json'), '{\n  "name": "x",\n  "seed": ,\n}\n');
  await assert.rejects(loadConfigFile(join(dir, 'bad.json')), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_PARSE'));
    assert.equal(err.data['file'], join(dir, 'bad.json'));
    assert.equal(err.data['line'], 3);
    return true;
  });
  writeFileSync(join(dir, 'bad.yaml'), 'name: x\nmodel:\n  encoders: [a, b\n');
  await assert.rejects(loadConfigFile(join(dir, 'bad.yaml')), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_PARSE'));
    assert.equal(typeof err.data['line'], 'number');
    return true;
  });
});

test('a missing file is UNG_ERR_CONFIG_NOT_FOUND', async () => {
  await assert.rejects(loadConfigFile(join(dir, 'nope.json')), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_NOT_FOUND'));
    assert.deepEqual(err.data, { file: join(dir, 'nope.json') });
    return true;
  });
});
