import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { Contribution } from '../../contract/plugin/manifest.js';
import { checkPlugin } from '../../testing/check-plugin.js';
import { resolveOptions } from '../../testing/resolve-options.js';
import { encoders } from './encoders/index.js';
import { fusions } from './fusion/index.js';
import { withDefaultOptions } from '../util/deep-merge.js';

const all: [string, Contribution<unknown, unknown, unknown>][] = [
  ...Object.entries(encoders).map(([id, c]) => [`encoders.${id}`, c] as [string, Contribution<unknown, unknown, unknown>]),
  ...Object.entries(fusions).map(([id, c]) => [`fusions.${id}`, c] as [string, Contribution<unknown, unknown, unknown>]),
];

test('built-in encoders and fusion blocks pass the plugin contract check', () => {
  assert.deepEqual(checkPlugin({ meta: { name: '@ungreedy/core', version: '1.0.0', coreApi: '^2.0.0' }, encoders, fusions }), []);
  assert.deepEqual(Object.keys(encoders), Object.keys(encoders).sort());
  assert.deepEqual(Object.keys(fusions), Object.keys(fusions).sort());
});

test('every schema compiles in strict mode and accepts its defaults', () => {
  for (const [id, c] of all) assert.deepEqual(resolveOptions(id, c.meta, {}), c.meta.defaultOptions, id);
});

test('schemas refuse unknown keys and out-of-range values, naming the path', () => {
  const bad: [Contribution<unknown, unknown, unknown>, unknown, string][] = [
    [encoders['mlp']!, { hidden: [] }, '/hidden'],
    [encoders['cnn']!, { channels: [8], kernal: 3 }, '/kernal'],
    [encoders['cnn3d']!, { pool: [2, 2] }, '/pool'],
    [encoders['resnet18']!, { stem: 'tiny' }, '/stem'],
    [encoders['i3d']!, { width: 0 }, '/width'],
    [fusions['mmtm']!, { ratio: -1 }, '/ratio'],
    [fusions['mmtm']!, { runningMean: { update: 'always' } }, '/runningMean/update'],
    [fusions['late']!, { after: [] }, '/after'],
  ];
  for (const [c, options, path] of bad) {
    assert.throws(
      () => resolveOptions('x', c.meta, options),
      (e) =>
        isUngreedyError(e, 'UNG_ERR_CONFIG_INVALID') &&
        (e.data['issues'] as { pointer: string }[]).some((i) => i.pointer === path),
      JSON.stringify(options),
    );
  }
});

test('withDefaultOptions: objects merge key by key, arrays and scalars replace, defaults stay untouched', () => {
  const defaults = { a: 1, list: [1, 2, 3], nested: { x: 1, y: { z: 2 } } };
  const merged = withDefaultOptions(defaults, { list: [9], nested: { y: { w: 3 } } });
  assert.deepEqual(merged, { a: 1, list: [9], nested: { x: 1, y: { z: 2, w: 3 } } });
  assert.deepEqual(defaults, { a: 1, list: [1, 2, 3], nested: { x: 1, y: { z: 2 } } });
  assert.deepEqual(withDefaultOptions(defaults, undefined), defaults);
});
