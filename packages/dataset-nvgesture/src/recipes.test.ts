import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ungreedy/core';
import { buildModel, loadExperiment } from '@ungreedy/core/engine';
import { setupTestBackend, silentLogger } from '@ungreedy/core/testing';
import { MODALITY_OF, NVGESTURE_DEFAULTS } from './nvgesture.js';
import type { NvGestureOptions } from './nvgesture.js';
import { SENSOR_CHANNELS } from './clip-cache.js';

const RECIPES = ['nvgesture-mini', 'nvgesture-scratch', 'nvgesture-pretrained'];

// The recipes in the repository's recipes/ folder must stay valid against core's schema and this plugin's,
// and their model must build on the clip shapes their dataset options produce (fusion stages included).
describe('recipes', () => {
  for (const name of RECIPES) {
    it(`${name}.yaml validates and its model builds on its clips`, async () => {
      await setupTestBackend();
      const file = fileURLToPath(new URL(`../../../recipes/${name}.yaml`, import.meta.url));
      // No data here: the data root is not checked (describe), everything else is.
      const { config, registry } = await loadExperiment(file, { checkData: false });
      assert.equal(config.dataset.use, 'nvgesture');
      if (name === 'nvgesture-pretrained') {
        // The scratch model, each branch starting from its own converted I3D weights file.
        const scratch = await loadExperiment(file.replace('pretrained', 'scratch'), { checkData: false });
        assert.deepEqual(config.model.encoders.map((e) => e.init?.from), ['../data/i3d-rgb.json', '../data/i3d-depth.json']);
        const withoutInit = config.model.encoders.map(({ init: _init, ...rest }) => rest);
        const { init: _none, ...scratchEncoder } = scratch.config.model.encoders[0]!;
        assert.deepEqual(withoutInit, [scratchEncoder, scratchEncoder]);
        assert.deepEqual({ ...config, name: 'x', model: { ...config.model, encoders: [] } }, { ...scratch.config, name: 'x', model: { ...scratch.config.model, encoders: [] } });
      }
      const o = { ...NVGESTURE_DEFAULTS, ...config.dataset.options } as NvGestureOptions;
      assert.ok(o.crop.width <= o.size.width && o.crop.height <= o.size.height);
      const modalities = o.sensors.map((s) => ({ name: MODALITY_OF[s], shape: [o.frames, o.crop.height, o.crop.width, SENSOR_CHANNELS[s]] }));
      const before = tf.memory().numTensors;
      // The weights files are the user's to convert (README); building checks the architecture, not the files.
      const model = await buildModel({ model: config.model, loadPretrained: false, modalities, numClasses: o.numClasses, registry, rng: Rng.fromSeed(0, 'init'), log: silentLogger() });
      try {
        assert.equal(model.numModalities, 2);
        assert.equal(model.fusionPoints, config.model.fusion.after.length);
      } finally {
        model.dispose();
      }
      assert.equal(tf.memory().numTensors, before);
    });
  }
});
