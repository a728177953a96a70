import type { PluginManifest } from '../../../contract/plugin/manifest.js';
import type { PluginRegistry } from '../../plugin/registry.js';
import { createPluginRegistry } from '../../plugin/plugin-registry.js';

const never = (): never => {
  throw new Error('fixture contributions are never created');
};

/** A plain-object plugin with one component of each kind, for the config tests (not part of the build's API). */
export const fixturePlugin: PluginManifest = {
  meta: { name: 'fixture-plugin', version: '1.0.0', coreApi: '^2.0.0' },
  datasets: {
    'colored-mnist': {
      meta: {
        docs: { description: 'fixture dataset' },
        defaultOptions: { root: 'data', samples: 1000, colors: { train: 0.99 } },
        schema: {
          type: 'object',
          properties: {
            root: { type: 'string' },
            samples: { type: 'integer', minimum: 1 },
            colors: { type: 'object', properties: { train: { type: 'number' }, test: { type: 'number' } }, additionalProperties: false },
          },
          additionalProperties: false,
        },
      },
      create: never,
    },
    modelnet40: { meta: { docs: { description: 'fixture' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } }, create: never },
  },
  encoders: {
    cnn: {
      meta: {
        docs: { description: 'fixture encoder' },
        defaultOptions: { channels: [8, 16] },
        schema: { type: 'object', properties: { channels: { type: 'array', items: { type: 'integer', minimum: 1 } } }, additionalProperties: false },
      },
      create: never,
    },
  },
  fusions: {
    mmtm: {
      meta: {
        docs: { description: 'fixture fusion' },
        defaultOptions: { ratio: 4 },
        schema: { type: 'object', properties: { ratio: { type: 'number', exclusiveMinimum: 0 } }, additionalProperties: false },
      },
      create: never,
    },
    late: { meta: { docs: { description: 'fixture' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } }, create: never },
  },
  strategies: {
    guided: {
      meta: {
        docs: { description: 'fixture strategy' },
        defaultOptions: { alpha: 0.5, threshold: 0.01 },
        schema: {
          type: 'object',
          properties: { alpha: { type: 'number', minimum: 0, maximum: 1 }, threshold: { type: 'number' } },
          additionalProperties: false,
        },
      },
      create: never,
    },
    vanilla: { meta: { docs: { description: 'fixture' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } }, create: never },
  },
};

export function fixtureRegistry(): PluginRegistry {
  const registry = createPluginRegistry();
  registry.add({ manifest: fixturePlugin, specifier: 'fixture-plugin', resolvedFrom: 'fixture' });
  return registry;
}

/** A small valid config using the fixture plugin. */
export const fixtureConfig = () => ({
  name: 'cmnist',
  dataset: { use: 'colored-mnist' },
  model: { encoders: [{ use: 'cnn' }], fusion: { use: 'mmtm', after: [0, 1] } },
  strategy: { use: 'guided', options: { alpha: 0.25 } },
});
