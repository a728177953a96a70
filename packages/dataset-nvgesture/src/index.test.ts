import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '@ungreedy/core';
import { checkPlugin, resolveOptions } from '@ungreedy/core/testing';
import pkg from '../package.json' with { type: 'json' };
import plugin from './index.js';

describe('plugin manifest', () => {
  it('passes the conformance check and names the package', () => {
    assert.deepEqual(checkPlugin(plugin, { packageJson: pkg }), []);
    assert.equal(plugin.meta.name, '@ungreedy/dataset-nvgesture');
    assert.equal(plugin.meta.version, pkg.version);
    assert.deepEqual(Object.keys(plugin.datasets), ['nvgesture']);
    assert.deepEqual(Object.keys(plugin.commands).sort(), ['make/nvgesture-mini', 'prepare/nvgesture']);
  });

  it('resolves the defaults under a config\'s options, and rejects unknown or bad options', () => {
    const { meta } = plugin.datasets.nvgesture;
    assert.deepEqual(resolveOptions('nvgesture', meta, {}), meta.defaultOptions);
    const resolved = resolveOptions('nvgesture', meta, { root: 'data/nvgesture', sensors: ['sk_depth'], normalize: { depth: { mean: [0.2], std: [0.3] } } });
    assert.deepEqual(resolved.normalize.rgb, meta.defaultOptions.normalize.rgb);
    assert.deepEqual(resolved.normalize.depth, { mean: [0.2], std: [0.3] });
    const bad: Array<[unknown, string]> = [
      [{ frame: 8 }, '/frame'],
      [{ sensors: ['sk_color', 'thermal'] }, '/sensors/1'],
      [{ crop: { width: 0, height: 8 } }, '/crop/width'],
      [{ valFraction: 1 }, '/valFraction'],
    ];
    for (const [options, path] of bad) {
      assert.throws(
        () => resolveOptions('nvgesture', meta, options),
        (e: unknown) => isUngreedyError(e, 'UNG_ERR_CONFIG_INVALID') && (e.data.issues as Array<{ pointer: string }>).some((i) => i.pointer === path),
        JSON.stringify(options),
      );
    }
  });
});
