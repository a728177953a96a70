import { test } from 'node:test';
import assert from 'node:assert/strict';
import pkg from '../package.json' with { type: 'json' };
import plugin, { DEFAULT_OPTIONS } from './index.js';
import { makeContext } from './test-fixtures/fixtures.js';

const contribution = plugin.datasets['colored-mnist'];

test('the manifest names the package, the namespace and a core range', () => {
  assert.equal(plugin.meta.name, pkg.name);
  assert.equal(plugin.meta.version, pkg.version);
  assert.equal(plugin.meta.namespace, 'colored-mnist');
  assert.equal(plugin.meta.coreApi, '^1.0.0');
  assert.deepEqual(Object.keys(plugin.datasets), ['colored-mnist']);
  assert.ok(contribution.meta.docs.description.length > 20);
});

test('the schema is closed and declares exactly the default options', () => {
  const schema = contribution.meta.schema as { type: string; additionalProperties: boolean; properties: Record<string, Record<string, unknown>> };
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(DEFAULT_OPTIONS).sort());
  assert.deepEqual(contribution.meta.defaultOptions, DEFAULT_OPTIONS);
  for (const [key, prop] of Object.entries(schema.properties)) {
    assert.ok(typeof prop.description === 'string' && prop.description.length > 10, `${key} has a description`);
    const value = (DEFAULT_OPTIONS as unknown as Record<string, unknown>)[key];
    if (Array.isArray(prop.enum)) assert.ok(prop.enum.includes(value), `${key} default is in its enum`);
    if (typeof prop.minimum === 'number') assert.ok((value as number) >= prop.minimum, `${key} >= minimum`);
    if (typeof prop.maximum === 'number') assert.ok((value as number) <= prop.maximum, `${key} <= maximum`);
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
