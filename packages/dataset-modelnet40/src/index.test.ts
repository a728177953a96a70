import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '@ungreedy/core';
import { checkPlugin, resolveOptions, strictSchemaProblem } from '@ungreedy/core/testing';
import plugin from './index.js';
import pkg from '../package.json' with { type: 'json' };

test('the manifest passes the conformance check and contributes the dataset and both commands', () => {
  assert.deepEqual(checkPlugin(plugin, { packageJson: pkg }), []);
  assert.equal(plugin.meta.name, pkg.name);
  assert.equal(plugin.meta.version, pkg.version);
  assert.equal(plugin.meta.coreApi, '^2.0.0');
  assert.deepEqual(Object.keys(plugin.datasets), ['modelnet40']);
  assert.deepEqual(Object.keys(plugin.commands).sort(), ['make/modelnet40-mini', 'prepare/modelnet40']);
  for (const c of Object.values(plugin.commands)) assert.ok(c.meta.docs.usage.startsWith('ungreedy '));
});

test('the options schema compiles in strict mode, accepts the defaults and partial options, and rejects bad ones', () => {
  const { meta } = plugin.datasets.modelnet40;
  assert.equal(strictSchemaProblem(meta.schema), null);
  assert.deepEqual(resolveOptions('modelnet40', meta, {}), meta.defaultOptions);
  const resolved = resolveOptions('modelnet40', meta, { root: 'x', views: [0, 3, 6], validation: { mode: 'reference' } });
  assert.deepEqual(resolved.validation, { mode: 'reference', fraction: 0.2, file: null, seed: 10 });
  assert.deepEqual(resolved.views, [0, 3, 6]);
  for (const [bad, path] of [
    [{ view: [0] }, '/view'],
    [{ views: [12] }, '/views/0'],
    [{ views: [] }, '/views'],
    [{ layout: 'obj' }, '/layout'],
    [{ validation: { mode: 'split' } }, '/validation/mode'],
    [{ validation: { fraction: 1 } }, '/validation/fraction'],
    [{ onBadSample: 'ignore' }, '/onBadSample'],
  ] as const) {
    assert.throws(
      () => resolveOptions('modelnet40', meta, bad),
      (err: unknown) =>
        isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID') && (err.data['issues'] as Array<{ pointer: string }>).some((i) => i.pointer === path),
      JSON.stringify(bad),
    );
  }
});
