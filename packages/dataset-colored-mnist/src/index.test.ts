import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigIssue } from '@ungreedy/core/engine';
import { checkPlugin, resolveOptions, strictSchemaProblem } from '@ungreedy/core/testing';
import pkg from '../package.json' with { type: 'json' };
import plugin, { DEFAULT_OPTIONS } from './index.js';
import { makeContext } from './test-fixtures/fixtures.js';

const contribution = plugin.datasets['colored-mnist'];

test('the manifest passes the conformance check and names the package', () => {
  assert.deepEqual(checkPlugin(plugin, { packageJson: pkg }), []);
  assert.equal(plugin.meta.name, pkg.name);
  assert.equal(plugin.meta.version, pkg.version);
  assert.equal(plugin.meta.namespace, 'colored-mnist');
  assert.deepEqual(Object.keys(plugin.datasets), ['colored-mnist']);
});

test('the schema compiles strictly, accepts the defaults and declares exactly them', () => {
  assert.equal(strictSchemaProblem(contribution.meta.schema), null);
  assert.deepEqual(resolveOptions('colored-mnist', contribution.meta, {}), DEFAULT_OPTIONS);
  const schema = contribution.meta.schema as { properties: Record<string, { description?: string }> };
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(DEFAULT_OPTIONS).sort());
  for (const [key, prop] of Object.entries(schema.properties)) assert.ok((prop.description ?? '').length > 10, `${key} has a description`);
  const custom = { root: 'mnist', imageSize: 16, testColorStd: 0.2, testColors: 'biased', valColors: 'as-test', pairing: 'same-class', normalize: true };
  assert.deepEqual(resolveOptions('colored-mnist', contribution.meta, custom), { ...DEFAULT_OPTIONS, ...custom });
});

test('bad options are rejected with one issue per problem, by JSON pointer', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ colour: 'red' }, '/colour'],
    [{ imageSize: 32 }, '/imageSize'],
    [{ imageSize: 14.5 }, '/imageSize'],
    [{ trainSize: 0 }, '/trainSize'],
    [{ trainColorStd: -0.1 }, '/trainColorStd'],
    [{ testColors: 'uniform' }, '/testColors'],
    [{ valColors: 'test' }, '/valColors'],
    [{ pairing: 'same-digit' }, '/pairing'],
    [{ palette: [[1, 0, 0]] }, '/palette'],
    [{ palette: Array.from({ length: 10 }, () => [1, 0, 2]) }, '/palette/0/2'],
    [{ root: '' }, '/root'],
  ];
  for (const [options, path] of cases) {
    assert.throws(
      () => resolveOptions('colored-mnist', contribution.meta, options),
      (err: { code?: string; data?: { issues?: ConfigIssue[] } }) => {
        assert.equal(err.code, 'UNG_ERR_CONFIG_INVALID');
        assert.ok(err.data?.issues?.some((i) => i.pointer === path), `${JSON.stringify(options)}: ${JSON.stringify(err.data?.issues)}`);
        return true;
      },
    );
  }
});

test('create with the default options builds the embedded default dataset', async () => {
  const ds = await contribution.create(DEFAULT_OPTIONS, makeContext(1));
  assert.deepEqual(
    ds.modalities.map((m) => m.name),
    ['gray', 'color'],
  );
  assert.equal(ds.size('train') + ds.size('val') + ds.size('test'), 10000);
});
