import { test } from 'node:test';
import assert from 'node:assert/strict';
import ajvModule from 'ajv';
import plugin from './index.js';
import pkg from '../package.json' with { type: 'json' };

test('the manifest names the package, declares the core range and contributes the dataset and both commands', () => {
  assert.equal(plugin.meta.name, pkg.name);
  assert.equal(plugin.meta.version, pkg.version);
  assert.equal(plugin.meta.coreApi, '^1.0.0');
  assert.deepEqual(Object.keys(plugin.datasets), ['modelnet40']);
  assert.deepEqual(Object.keys(plugin.commands).sort(), ['make/modelnet40-mini', 'prepare/modelnet40']);
  for (const c of Object.values(plugin.commands)) assert.ok(c.meta.docs.usage.startsWith('ungreedy '));
});

test('the options schema compiles, accepts the defaults, and rejects unknown keys and bad values', () => {
  const { meta } = plugin.datasets.modelnet40;
  assert.equal(meta.schema['additionalProperties'], false);
  const validate = new ajvModule({ allErrors: true }).compile(meta.schema);
  assert.ok(validate(meta.defaultOptions), JSON.stringify(validate.errors));
  assert.ok(validate({ ...meta.defaultOptions, views: [0, 3, 6], imageSize: 32, validation: { mode: 'reference', fraction: 0.2, file: null, seed: 10 } }));
  for (const bad of [
    { ...meta.defaultOptions, view: [0] },
    { ...meta.defaultOptions, views: [12] },
    { ...meta.defaultOptions, views: [] },
    { ...meta.defaultOptions, layout: 'obj' },
    { ...meta.defaultOptions, validation: { mode: 'split', fraction: 0.2, file: null, seed: 10 } },
    { ...meta.defaultOptions, validation: { ...meta.defaultOptions.validation, fraction: 1 } },
  ]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
  }
});
