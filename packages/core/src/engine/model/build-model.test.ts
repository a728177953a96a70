import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { pino } from 'pino';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { Rng } from '../../contract/rng/rng.js';
import { REGULAR } from '../../contract/model/fusion-block.js';
import type { ModelOutput } from './multimodal-model.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { builtinRegistry, buildTestModel, countTrainable } from './testing/model-fixtures.js';
import { buildModel } from './build-model.js';

before(setupTestBackend);

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Rng.fromSeed(seed, 'x').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}
const flat = (o: ModelOutput): tf.Tensor[] => [o.fused, ...o.heads, ...o.features];
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

const twoCnn = {
  shapes: [
    [8, 8, 3],
    [8, 8, 1],
  ],
  encoders: [{ use: 'cnn', options: { channels: [4, 6, 8] } }],
  fusion: { use: 'mmtm', after: [1, 2] },
  numClasses: 5,
};

test('fused = mean of the head logits; heads and features have the right shapes', async () => {
  const model = await buildTestModel(twoCnn);
  assert.equal(model.numModalities, 2);
  assert.equal(model.fusionPoints, 2);
  const xs = [randn([3, 8, 8, 3], 1), randn([3, 8, 8, 1], 2)];
  const out = model.forward(xs, { training: false, mode: REGULAR });
  assert.deepEqual(out.fused.shape, [3, 5]);
  assert.deepEqual(out.heads.map((h) => h.shape), [[3, 5], [3, 5]]);
  assert.deepEqual(out.features.map((f) => f.shape), [[3, 8], [3, 8]]);
  const mean = tf.div(tf.add(out.heads[0]!, out.heads[1]!), 2);
  assert.ok(maxDiff(out.fused, mean) < 1e-7);
  const again = model.applyHead(1, out.features[1]!);
  assert.equal(maxDiff(again, out.heads[1]!), 0);
  tf.dispose([...xs, ...flat(out), mean, again]);
  model.dispose();
});

test('every variable is tagged with its group; names are unique and prefixed', async () => {
  const model = await buildTestModel(twoCnn);
  const vars = model.variables();
  assert.equal(new Set(vars.map((v) => v.name)).size, vars.length);
  for (const v of vars) {
    assert.ok(v.group, `${v.name} has a group`);
    const [head] = v.name.split('.');
    const expectPrefix = { branch: 'branch/', head: 'head/', fusion: 'fusion/' }[head as 'branch'];
    assert.ok(v.group.startsWith(expectPrefix), `${v.name} → ${v.group}`);
  }
  assert.ok(vars.some((v) => v.group === 'fusion/shared'));
  assert.ok(vars.some((v) => v.name === 'branch.1.bn1.running_var' && !v.trainable && v.group === 'branch/1'));
  assert.deepEqual(
    vars.filter((v) => v.name.startsWith('head.0')).map((v) => [v.name, v.variable.shape]),
    [
      ['head.0.weight', [8, 5]],
      ['head.0.bias', [5]],
    ],
  );
  model.dispose();
});

test('the same seed builds the same weights; a fusion block does not change the encoders\' init', async () => {
  const a = await buildTestModel(twoCnn);
  const b = await buildTestModel(twoCnn);
  const late = await buildTestModel({ ...twoCnn, fusion: { use: 'late', after: [] } });
  const values = (m: typeof a, prefix: string): number[] =>
    m.variables()
      .filter((v) => v.name.startsWith(prefix))
      .flatMap((v) => Array.from(v.variable.dataSync()));
  assert.deepEqual(values(a, ''), values(b, ''));
  assert.deepEqual(values(a, 'branch.'), values(late, 'branch.'));
  assert.deepEqual(values(a, 'head.'), values(late, 'head.'));
  for (const m of [a, b, late]) m.dispose();
});

test('late fusion: 0 fusion points, branches independent, fused = mean of heads', async () => {
  const model = await buildTestModel({ ...twoCnn, fusion: { use: 'late', after: [] } });
  assert.equal(model.fusionPoints, 0);
  assert.ok(!model.variables().some((v) => v.name.startsWith('fusion')));
  const x0 = randn([2, 8, 8, 3], 1);
  const out1 = model.forward([x0, randn([2, 8, 8, 1], 2)], { training: false, mode: REGULAR });
  const out2 = model.forward([x0, randn([2, 8, 8, 1], 3)], { training: false, mode: REGULAR });
  assert.equal(maxDiff(out1.heads[0]!, out2.heads[0]!), 0, 'branch 0 does not see modality 1');
  assert.ok(maxDiff(out1.heads[1]!, out2.heads[1]!) > 0);
  tf.dispose([x0, ...flat(out1), ...flat(out2)]);
  await assert.rejects(
    buildTestModel({ ...twoCnn, fusion: { use: 'late', after: [1] } }),
    (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['fusion'] === 'late',
  );
  model.dispose();
});

test('with mmtm, branch 0 sees modality 1', async () => {
  const model = await buildTestModel(twoCnn);
  const x0 = randn([2, 8, 8, 3], 1);
  const out1 = model.forward([x0, randn([2, 8, 8, 1], 2)], { training: false, mode: REGULAR });
  const out2 = model.forward([x0, randn([2, 8, 8, 1], 3)], { training: false, mode: REGULAR });
  assert.ok(maxDiff(out1.heads[0]!, out2.heads[0]!) > 0);
  tf.dispose([x0, ...flat(out1), ...flat(out2)]);
  model.dispose();
});

test('uni-modal model: no fusion (settings ignored), fused = the head', async () => {
  const model = await buildTestModel({ shapes: [[8, 8, 3]], encoders: [{ use: 'cnn', options: { channels: [4, 4] } }], fusion: { use: 'mmtm', after: [0] } });
  assert.equal(model.numModalities, 1);
  assert.equal(model.fusionPoints, 0);
  const x = randn([2, 8, 8, 3], 4);
  const out = model.forward([x], { training: true, mode: { kind: 'rebalance', modality: 0 } });
  assert.equal(maxDiff(out.fused, out.heads[0]!), 0);
  assert.notEqual(out.fused, out.heads[0]);
  tf.dispose([x, ...flat(out)]);
  model.dispose();
});

test('three modalities with mmtm, mixed encoders (cnn, mlp on a vector)', async () => {
  const model = await buildTestModel({
    shapes: [[8, 8, 3], [8, 8, 1], [10]],
    encoders: [
      { use: 'cnn', options: { channels: [4, 6] } },
      { use: 'cnn', options: { channels: [4, 6] } },
      { use: 'mlp', options: { hidden: [5, 7] } },
    ],
    fusion: { use: 'mmtm', after: [0, 1] },
  });
  assert.equal(model.fusionPoints, 2);
  const fusionParams = countTrainable(model.variables().filter((v) => v.name.startsWith('fusion.0.')));
  const d = Math.floor((2 * (4 + 4 + 5)) / 4);
  assert.equal(fusionParams, 13 * d + d + (d * 4 + 4) * 2 + (d * 5 + 5));
  const xs = [randn([2, 8, 8, 3], 1), randn([2, 8, 8, 1], 2), randn([2, 10], 3)];
  const out = model.forward(xs, { training: true, mode: { kind: 'rebalance', modality: 2 } });
  assert.equal(out.heads.length, 3);
  const mean = tf.div(tf.addN(out.heads as tf.Tensor2D[]), 3);
  assert.ok(maxDiff(out.fused, mean) < 1e-6);
  tf.dispose([...xs, ...flat(out), mean]);
  model.dispose();
});

test('ablate-partner through the model uses squeezeMeans per fusion position; recordSqueezes names the position', async () => {
  const model = await buildTestModel(twoCnn);
  const xs = [randn([1, 8, 8, 3], 1), randn([1, 8, 8, 1], 2)];
  const recorded: tf.Tensor1D[][] = [];
  const regular = model.forward(xs, {
    training: false,
    mode: REGULAR,
    recordSqueezes: (p, sq) => (recorded[p] = sq.map((s) => tf.keep(tf.reshape(s, [s.shape[1]])) as tf.Tensor1D)),
  });
  assert.deepEqual(recorded.map((r) => r.map((s) => s.shape[0])), [[6, 6], [8, 8]]);
  const ablated = model.forward(xs, { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: recorded });
  assert.ok(maxDiff(ablated.fused, regular.fused) < 1e-6, 'batch of 1 with its own squeezes: same as regular');
  tf.dispose([...xs, ...flat(regular), ...flat(ablated), ...recorded.flat()]);
  model.dispose();
});

test('no tensor leaks across forward calls in every mode, and dispose frees every variable', async () => {
  const before = tf.memory().numTensors;
  const model = await buildTestModel(twoCnn);
  const xs = [randn([2, 8, 8, 3], 1), randn([2, 8, 8, 1], 2)];
  const means = [
    [tf.zeros([6]), tf.zeros([6])],
    [tf.zeros([8]), tf.zeros([8])],
  ] as tf.Tensor1D[][];
  const run = (): void => {
    for (const ctx of [
      { training: true, mode: REGULAR },
      { training: false, mode: REGULAR },
      { training: true, mode: { kind: 'rebalance', modality: 1 } as const },
      { training: false, mode: { kind: 'ablate-partner' } as const, squeezeMeans: means },
    ]) {
      tf.dispose(flat(model.forward(xs, ctx)));
    }
  };
  run();
  const after1 = tf.memory().numTensors;
  run();
  run();
  assert.equal(tf.memory().numTensors, after1);
  tf.dispose([...xs, ...means.flat()]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('bad input is refused with UNG_ERR_MODEL_MISMATCH', async () => {
  const is = (pred: (d: Readonly<Record<string, unknown>>) => boolean) => (e: unknown) =>
    isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && pred(e.data);
  // Fusion position beyond the encoders' stages (3 stages: indices 0..2).
  await assert.rejects(buildTestModel({ ...twoCnn, fusion: { use: 'mmtm', after: [3] } }), is((d) => d['position'] === 3));
  await assert.rejects(buildTestModel({ ...twoCnn, fusion: { use: 'mmtm', after: [1, 1] } }), is((d) => d['position'] === 1));
  // Encoder list length neither 1 nor the number of modalities.
  await assert.rejects(
    buildTestModel({ ...twoCnn, shapes: [[8, 8, 3], [8, 8, 1], [8, 8, 1]], encoders: [{ use: 'cnn' }, { use: 'cnn' }] }),
    is((d) => d['expected'] === 3 && d['actual'] === 2),
  );
  // A modality shape the encoder cannot read.
  await assert.rejects(
    buildTestModel({ ...twoCnn, shapes: [[8, 8, 3], [16]] }),
    is((d) => d['encoder'] === 'cnn' && d['modality'] === 1),
  );
  // Features MMTM cannot take: legacy bug with unequal channels.
  await assert.rejects(
    buildTestModel({
      ...twoCnn,
      encoders: [{ use: 'cnn', options: { channels: [4, 6, 8] } }, { use: 'cnn', options: { channels: [4, 6, 10] } }],
      fusion: { use: 'mmtm', after: [2], options: { runningMean: { legacyGateBug: true } } },
    }),
    is((d) => d['fusion'] === 'mmtm' && d['legacyGateBug'] === true),
  );
  // An image too small for the pools.
  await assert.rejects(
    buildTestModel({ ...twoCnn, shapes: [[4, 4, 3], [8, 8, 1]] }),
    is((d) => d['encoder'] === 'cnn' && d['stage'] === 'conv3'),
  );
  // Unknown ids.
  await assert.rejects(buildTestModel({ ...twoCnn, encoders: [{ use: 'resnet99' }] }), (e) => isUngreedyError(e, 'UNG_ERR_UNKNOWN_COMPONENT'));
  // Forward with wrong input shapes.
  const model = await buildTestModel(twoCnn);
  const x = randn([2, 8, 8, 3], 1);
  assert.throws(() => model.forward([x, x], { training: false, mode: REGULAR }), is((d) => d['modality'] === 1));
  assert.throws(() => model.forward([x], { training: false, mode: REGULAR }), is((d) => d['actual'] === 1));
  x.dispose();
  model.dispose();
});

test('stateDict round-trips the fusion running-mean counts', async () => {
  const model = await buildTestModel(twoCnn);
  const xs = [randn([2, 8, 8, 3], 1), randn([2, 8, 8, 1], 2)];
  tf.dispose(flat(model.forward(xs, { training: true, mode: REGULAR })));
  assert.deepEqual(model.stateDict(), { fusion: [{ count: 1 }, { count: 1 }] });
  model.loadStateDict({ fusion: [{ count: 5 }, { count: 6 }] });
  assert.deepEqual(model.stateDict(), { fusion: [{ count: 5 }, { count: 6 }] });
  assert.throws(() => model.loadStateDict({ fusion: [] }), (e) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_MISMATCH'));
  tf.dispose(xs);
  model.dispose();
});

test('training steps: loss falls with SGD over all trainable variables, and the tensor count stays flat', async () => {
  const model = await buildTestModel({
    shapes: [[6, 6, 2], [5]],
    encoders: [
      { use: 'cnn', options: { channels: [4, 4] } },
      { use: 'mlp', options: { hidden: [8, 4] } },
    ],
    fusion: { use: 'mmtm', after: [0, 1] },
    numClasses: 2,
  });
  const xs = [randn([8, 6, 6, 2], 1), randn([8, 5], 2)];
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 0, 1], 'int32'), 2);
  const vars = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const optimizer = tf.train.sgd(0.1);
  const losses: number[] = [];
  let count = 0;
  for (let step = 0; step < 8; step++) {
    const mode = step % 2 === 0 ? REGULAR : ({ kind: 'rebalance', modality: step % 4 === 1 ? 0 : 1 } as const);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(xs, { training: true, mode });
      return tf.add(tf.losses.softmaxCrossEntropy(y, out.heads[0]!), tf.losses.softmaxCrossEntropy(y, out.heads[1]!)) as tf.Scalar;
    }, vars);
    optimizer.applyGradients(grads);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    if (step === 2) count = tf.memory().numTensors;
    if (step > 2) assert.equal(tf.memory().numTensors, count, `step ${step}`);
  }
  assert.ok(losses[7]! < losses[0]!, `loss ${losses[0]} → ${losses[7]}`);
  optimizer.dispose();
  tf.dispose([...xs, y]);
  model.dispose();
});

test('a uni-modal build logs that it ignores the fusion settings', async () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const model = await buildModel({
    model: { modalities: [0], encoders: [{ use: 'mlp', options: {} }], fusion: { use: 'mmtm', options: {}, after: [0] } },
    modalities: [{ name: 'm0', shape: [4] }],
    numClasses: 2,
    registry: builtinRegistry(),
    rng: Rng.fromSeed(1, 'init'),
    log,
  });
  assert.equal(model.fusionPoints, 0);
  assert.deepEqual(
    lines.map((l) => [l['msg'], l['fusion'], l['after']]),
    [['uni-modal model: fusion settings ignored', 'mmtm', [0]]],
  );
  model.dispose();
});

test('a forward mode that a fusion block does not declare is UNG_ERR_MODEL_MISMATCH naming the block and the mode', async () => {
  const model = await buildTestModel(twoCnn);
  const xs = [randn([1, 8, 8, 3], 1), randn([1, 8, 8, 1], 2)];
  assert.throws(
    () => model.forward(xs, { training: false, mode: { kind: 'my-strategy-mode' } }),
    (e: unknown) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['mode'] === 'my-strategy-mode' && e.data['position'] === 0,
  );
  tf.dispose(xs);
  model.dispose();
});
