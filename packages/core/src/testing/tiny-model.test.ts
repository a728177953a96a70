import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../contract/errors/errors.js';
import { setupTestBackend } from './test-backend.js';
import { buildTinyModel } from './tiny-model.js';
import type { TinyModelOptions } from './tiny-model.js';

before(setupTestBackend);

const spec: TinyModelOptions = {
  inputs: [[3], [5]],
  encoders: [{ use: 'mlp', options: { hidden: [4] } }],
  fusion: { use: 'mmtm', after: [0] },
  numClasses: 4,
  seed: 3,
};

const weights = async (options: TinyModelOptions): Promise<Record<string, number[]>> => {
  const model = await buildTinyModel(options);
  try {
    return Object.fromEntries(model.variables().map((v) => [v.name, Array.from(v.variable.dataSync())]));
  } finally {
    model.dispose();
  }
};

test('buildTinyModel builds the multi-modal model of its options: one branch and head per input, the fusion block, the classes', async () => {
  const model = await buildTinyModel(spec);
  const x = [tf.ones([2, 3]), tf.ones([2, 5])];
  try {
    assert.equal(model.numModalities, 2);
    assert.equal(model.fusionPoints, 1);
    const names = model.variables().map((v) => v.name);
    assert.ok(names.some((n) => n.startsWith('fusion.0.')), names.join(', '));
    const shapes = tf.tidy(() => {
      const out = model.forward(x, { training: false, mode: { kind: 'regular' } });
      return [out.fused.shape, ...out.heads.map((h) => h.shape)];
    });
    assert.deepEqual(shapes, [[2, 4], [2, 4], [2, 4]]);
  } finally {
    tf.dispose(x);
    model.dispose();
  }
});

test('buildTinyModel: the seed decides the initial weights; late fusion without a fusion block by default', async () => {
  assert.deepEqual(await weights(spec), await weights(spec));
  assert.notDeepEqual(await weights(spec), await weights({ ...spec, seed: 4 }));
  const late = await buildTinyModel({ inputs: [[3], [3]], encoders: [{ use: 'mlp' }] });
  assert.equal(late.fusionPoints, 0);
  late.dispose();
});

test('buildTinyModel refuses an encoder no plugin registers, with the engine\'s code', async () => {
  await assert.rejects(
    buildTinyModel({ inputs: [[3]], encoders: [{ use: 'no-such-encoder' }] }),
    (e: unknown) => e instanceof UngreedyError && e.code === 'UNG_ERR_UNKNOWN_COMPONENT',
  );
});
