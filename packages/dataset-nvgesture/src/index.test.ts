import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import pkg from '../package.json' with { type: 'json' };
import plugin from './index.js';

describe('plugin manifest', () => {
  it('names the package and a core API range', () => {
    assert.equal(plugin.meta.name, '@ungreedy/dataset-nvgesture');
    assert.equal(plugin.meta.version, pkg.version);
    assert.equal(plugin.meta.coreApi, '^1.0.0');
    assert.deepEqual(Object.keys(plugin.datasets), ['nvgesture']);
    assert.deepEqual(Object.keys(plugin.commands).sort(), ['make/nvgesture-mini', 'prepare/nvgesture']);
  });

  it('declares a closed schema that accepts the defaults and rejects unknown or bad options', () => {
    const { schema, defaultOptions } = plugin.datasets.nvgesture.meta;
    assert.equal(schema.additionalProperties, false);
    const validate = new AjvModule({ allErrors: true }).compile(schema);
    assert.equal(validate(defaultOptions), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...defaultOptions, frame: 8 }), false);
    assert.equal(validate({ ...defaultOptions, sensors: ['sk_color', 'thermal'] }), false);
    assert.equal(validate({ ...defaultOptions, crop: { width: 0, height: 8 } }), false);
    assert.equal(validate({ ...defaultOptions, root: 'data/nvgesture', sensors: ['sk_depth'], valFraction: 0.1 }), true);
  });
});
