import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../../../contract/errors/errors.js';
import { Rng } from '../../../contract/rng/rng.js';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { Encoder } from '../../../contract/model/encoder.js';
import { withDefaultOptions } from '../../util/deep-merge.js';
import { bypassGroups, mainGroups } from '../../../contract/model/param-group.js';
import { setupTestBackend } from '../../../testing/test-backend.js';
import { buildTestModel, countTrainable } from '../testing/model-fixtures.js';
import { encoders } from './index.js';
import { I3D_MIXED } from './i3d.js';

before(setupTestBackend);

function create(id: string, inputShape: number[], options: object = {}, modality = 0): Encoder {
  const c = encoders[id] as EncoderContribution;
  return c.create(withDefaultOptions(c.meta.defaultOptions, options), {
    inputShape,
    modality,
    namePrefix: `branch.${modality}.`,
    rng: Rng.fromSeed(3, 'init'),
  }) as Encoder;
}

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Rng.fromSeed(seed, 'x').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

/** Runs every stage, checks each output against the declared outShape, and returns the pooled features. */
function checkForward(enc: Encoder, input: tf.Tensor, training: boolean): number[] {
  return tf.tidy(() => {
    let x = input;
    for (const s of enc.stages) {
      x = s.apply(x, { training });
      assert.deepEqual(x.shape.slice(1), [...s.outShape], `stage ${s.name}`);
    }
    const f = enc.pool(x);
    assert.deepEqual(f.shape, [input.shape[0], enc.featureSize]);
    return f.shape;
  });
}

test('the registry lists the built-in encoders, each with a closed schema whose defaults are complete', () => {
  assert.deepEqual(Object.keys(encoders), ['cnn', 'cnn3d', 'i3d', 'mlp', 'resnet18']);
  for (const c of Object.values(encoders)) {
    assert.equal(c.meta.schema['additionalProperties'], false);
    assert.deepEqual(Object.keys(c.meta.schema['properties'] as object).sort(), Object.keys(c.meta.defaultOptions as object).sort());
  }
});

test('resnet18 has 11,176,512 parameters and the torchvision stage shapes at 224×224', () => {
  const enc = create('resnet18', [224, 224, 3]);
  assert.equal(countTrainable(enc.variables()), 11_176_512);
  assert.deepEqual(
    enc.stages.map((s) => [s.name, s.outShape]),
    [
      ['stem+layer1', [56, 56, 64]],
      ['layer2', [28, 28, 128]],
      ['layer3', [14, 14, 256]],
      ['layer4', [7, 7, 512]],
    ],
  );
  assert.equal(enc.featureSize, 512);
  assert.ok(enc.variables().every((v) => v.name.startsWith('branch.0.')));
  assert.ok(enc.variables().some((v) => v.name === 'branch.0.layer2.0.downsample.0.weight'));
  enc.dispose();
});

test('resnet18 forward (both stems) matches the declared shapes, and gradients reach the stem', () => {
  for (const stem of ['imagenet', 'cifar'] as const) {
    const enc = create('resnet18', [16, 16, 3], { stem, widths: [4, 8, 8, 16] });
    const x = randn([2, 16, 16, 3], 1);
    checkForward(enc, x, true);
    checkForward(enc, x, false);
    const conv1 = enc.variables().find((v) => v.name === 'branch.0.conv1.weight')!.variable;
    const g = tf.grad((inp: tf.Tensor) => {
      let y = inp;
      for (const s of enc.stages) y = s.apply(y, { training: true });
      return tf.sum(enc.pool(y));
    });
    const gx = g(x);
    assert.ok(tf.tidy(() => tf.sum(tf.abs(gx)).dataSync()[0]!) > 0);
    const { grads } = tf.variableGrads(() => {
      let y = x;
      for (const s of enc.stages) y = s.apply(y, { training: true });
      return tf.sum(tf.square(enc.pool(y))) as tf.Scalar;
    }, [conv1]);
    assert.ok(tf.tidy(() => tf.sum(tf.abs(grads[conv1.name]!)).dataSync()[0]!) > 0);
    tf.dispose([x, gx, ...Object.values(grads)]);
    enc.dispose();
  }
});

test('the ModelNet40 model: 23,773,008 parameters; θ_k = 11,197,032 and θ\'_k = 1,033,984 (docs/method.md#network, #parameter-groups)', async () => {
  const model = await buildTestModel({
    shapes: [
      [32, 32, 3],
      [32, 32, 3],
    ],
    encoders: [{ use: 'resnet18' }],
    fusion: { use: 'mmtm', after: [1, 2, 3] },
    numClasses: 40,
  });
  const vars = model.variables();
  assert.equal(countTrainable(vars), 23_773_008);
  const groupSize = (groups: string[]): number => countTrainable(vars.filter((v) => groups.includes(v.group!)));
  for (const k of [0, 1]) {
    assert.equal(groupSize(mainGroups(k)), 11_197_032);
    assert.equal(groupSize(bypassGroups(k)), 1_033_984);
  }
  assert.equal(countTrainable(vars.filter((v) => v.name.startsWith('fusion.'))), 1_378_944);
  model.dispose();
});

test('mlp flattens any input; one stage per hidden layer', () => {
  const enc = create('mlp', [4, 3], { hidden: [6, 5] });
  assert.deepEqual(enc.stages.map((s) => s.outShape), [[6], [5]]);
  assert.equal(countTrainable(enc.variables()), 12 * 6 + 6 + 6 * 5 + 5);
  const x = randn([3, 4, 3], 1);
  checkForward(enc, x, true);
  x.dispose();
  enc.dispose();
});

test('cnn stage shapes follow convolution and pooling, with and without batch norm', () => {
  for (const batchNorm of [true, false]) {
    const enc = create('cnn', [12, 10, 2], { channels: [3, 5], batchNorm, pool: 'max', poolSize: 2 });
    assert.deepEqual(enc.stages.map((s) => s.outShape), [[6, 5, 3], [3, 2, 5]]);
    const conv = 3 * 3 * 2 * 3 + 3 * 3 * 3 * 5;
    assert.equal(countTrainable(enc.variables()), conv + (batchNorm ? 2 * (3 + 5) : 3 + 5));
    const x = randn([2, 12, 10, 2], 1);
    checkForward(enc, x, true);
    x.dispose();
    enc.dispose();
  }
  const avg = create('cnn', [8, 8, 1], { channels: [2], pool: 'avg', kernel: 5 });
  const x = randn([1, 8, 8, 1], 2);
  checkForward(avg, x, false);
  x.dispose();
  avg.dispose();
});

test('cnn3d reads clips; stage shapes match the forward pass', () => {
  const enc = create('cnn3d', [4, 8, 8, 2], { channels: [3, 4], pool: [2, 2, 2] });
  assert.deepEqual(enc.stages.map((s) => s.outShape), [[2, 4, 4, 3], [1, 2, 2, 4]]);
  assert.equal(countTrainable(enc.variables()), 27 * 2 * 3 + 27 * 3 * 4 + 2 * (3 + 4));
  const x = randn([2, 4, 8, 8, 2], 1);
  checkForward(enc, x, true);
  checkForward(enc, x, false);
  x.dispose();
  enc.dispose();
});

/** I3D's parameter count from its published layer table, written independently of the encoder. */
function i3dParams(width: number, inC: number): number {
  const ch = (c: number): number => Math.max(1, Math.round(c * width));
  const unit = (k: number, cin: number, cout: number): number => k ** 3 * cin * cout + 2 * cout;
  let total = unit(7, inC, ch(64)) + unit(1, ch(64), ch(64)) + unit(3, ch(64), ch(192));
  let c = ch(192);
  for (const [, [a, b, bb, d, dd, e]] of I3D_MIXED) {
    total += unit(1, c, ch(a)) + unit(1, c, ch(b)) + unit(3, ch(b), ch(bb)) + unit(1, c, ch(d)) + unit(3, ch(d), ch(dd)) + unit(1, c, ch(e));
    c = ch(a) + ch(bb) + ch(dd) + ch(e);
  }
  return total;
}

test('i3d at full width: Inception-V1 channel table, 1024 features, parameter count', () => {
  const enc = create('i3d', [64, 224, 224, 3]);
  assert.deepEqual(
    enc.stages.map((s) => [s.name, s.outShape]),
    [
      ['stem', [32, 28, 28, 192]],
      ['mixed_3b', [32, 28, 28, 256]],
      ['mixed_3c', [32, 28, 28, 480]],
      ['mixed_4b', [16, 14, 14, 512]],
      ['mixed_4c', [16, 14, 14, 512]],
      ['mixed_4d', [16, 14, 14, 512]],
      ['mixed_4e', [16, 14, 14, 528]],
      ['mixed_4f', [16, 14, 14, 832]],
      ['mixed_5b', [8, 7, 7, 832]],
      ['mixed_5c', [8, 7, 7, 1024]],
    ],
  );
  const params = countTrainable(enc.variables());
  assert.equal(params, i3dParams(1, 3));
  assert.equal(params, 12_287_264);
  enc.dispose();
});

test('i3d tiny width: forward shapes match every declared stage, and the count follows the formula', () => {
  const enc = create('i3d', [8, 32, 32, 3], { width: 1 / 16 });
  assert.equal(countTrainable(enc.variables()), i3dParams(1 / 16, 3));
  const x = randn([1, 8, 32, 32, 3], 1);
  checkForward(enc, x, true);
  checkForward(enc, x, false);
  x.dispose();
  enc.dispose();
});

test('encoders refuse inputs they cannot read', () => {
  const cases: [string, number[], string][] = [
    ['resnet18', [16], '[H, W, C]'],
    ['cnn', [4, 8, 8, 3], '[H, W, C]'],
    ['cnn3d', [8, 8, 3], '[T, H, W, C]'],
    ['i3d', [32, 32, 3], '[T, H, W, C]'],
  ];
  for (const [id, shape, expected] of cases) {
    assert.throws(
      () => create(id, shape, {}, 1),
      (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['encoder'] === id && e.data['modality'] === 1 && e.data['expected'] === expected,
    );
  }
});

test('each built-in encoder\'s describe(options) gives the stage count and feature size its create builds (what validate checks fusion positions and shared heads with)', () => {
  const cases: [string, number[], object][] = [
    ['cnn', [12, 10, 2], { channels: [3, 5] }],
    ['cnn', [8, 8, 1], { channels: [2, 4, 6, 7], pool: 'none' }],
    ['cnn3d', [4, 8, 8, 2], { channels: [3, 4], pool: [2, 2, 2] }],
    ['mlp', [4, 3], { hidden: [6, 5, 9] }],
    ['resnet18', [16, 16, 3], { stem: 'cifar', widths: [4, 8, 8, 16] }],
    ['i3d', [8, 32, 32, 3], { width: 1 / 16 }],
    ['i3d', [8, 32, 32, 3], { width: 0.3 }],
  ];
  for (const [id, shape, options] of cases) {
    const c = encoders[id] as EncoderContribution;
    const enc = create(id, shape, options);
    try {
      assert.deepEqual(c.describe!(withDefaultOptions(c.meta.defaultOptions, options)), { stages: enc.stages.length, featureSize: enc.featureSize }, `${id} ${JSON.stringify(options)}`);
    } finally {
      enc.dispose();
    }
  }
});
