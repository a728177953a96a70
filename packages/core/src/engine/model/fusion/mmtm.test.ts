import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../contract/rng/rng.js';
import { isUngreedyError } from '../../../contract/errors/errors.js';
import { REGULAR, type ForwardMode } from '../../../contract/model/fusion-block.js';
import { setupTestBackend } from '../../../testing/test-backend.js';
import { buildTestModel } from '../testing/model-fixtures.js';
import { withDefaultOptions } from '../../util/deep-merge.js';
import type { Mmtm} from './mmtm.js';
import { mmtm, squeeze, type MmtmOptions } from './mmtm.js';

before(setupTestBackend);

function block(channels: number[], shapes?: number[][], options: Partial<MmtmOptions> = {}, seed = 1): Mmtm {
  return mmtm.create(withDefaultOptions(mmtm.meta.defaultOptions, options), {
    channels,
    shapes: shapes ?? channels.map((c) => [3, 3, c]),
    position: 0,
    namePrefix: 'fusion.0.',
    rng: Rng.fromSeed(seed, 'init'),
  }) as Mmtm;
}

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Rng.fromSeed(seed, 'x').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
const TRAIN = { training: true, mode: REGULAR };
const EVAL = { training: false, mode: REGULAR };

function find(b: Mmtm, name: string): tf.Variable {
  const v = b.variables().find((x) => x.name === `fusion.0.${name}`);
  assert.ok(v, `variable ${name}`);
  return v.variable;
}

test('D = floor(2·ΣC/ratio) and the reference parameter counts 65,920 / 262,912 / 1,050,112', () => {
  const want: [number, number, number][] = [
    [128, 128, 65920],
    [256, 256, 262912],
    [512, 512, 1050112],
  ];
  for (const [c, d, params] of want) {
    const b = block([c, c], [[7, 7, c], [7, 7, c]]);
    assert.equal(b.hidden, d);
    const trainable = b.variables().filter((v) => v.trainable);
    assert.equal(trainable.reduce((a, v) => a + v.variable.size, 0), params);
    b.dispose();
  }
  const odd = block([3, 4], undefined, { ratio: 3 });
  assert.equal(odd.hidden, 4); // floor(14 / 3)
  odd.dispose();
});

test('parameter groups: joint layer shared, excitation k and running mean k in fusion/k', () => {
  const b = block([4, 6]);
  const groups = Object.fromEntries(b.variables().map((v) => [v.name, [v.group, v.trainable]]));
  assert.deepEqual(groups, {
    'fusion.0.fc_squeeze.weight': ['fusion/shared', true],
    'fusion.0.fc_squeeze.bias': ['fusion/shared', true],
    'fusion.0.fc_excite.0.weight': ['fusion/0', true],
    'fusion.0.fc_excite.0.bias': ['fusion/0', true],
    'fusion.0.fc_excite.1.weight': ['fusion/1', true],
    'fusion.0.fc_excite.1.bias': ['fusion/1', true],
    'fusion.0.running_mean.0': ['fusion/0', false],
    'fusion.0.running_mean.1': ['fusion/1', false],
  });
  b.dispose();
});

test('all-zero weights give gates of 0.5; a large excitation bias gives the identity', () => {
  const b = block([3, 2], [[2, 2, 3], [4]]);
  for (const v of b.variables()) v.variable.assign(tf.zerosLike(v.variable));
  const a = randn([5, 2, 2, 3], 2);
  const bf = randn([5, 2], 4);
  const [a2, b2] = b.apply([a, bf], TRAIN);
  assert.equal(maxDiff(a2!, tf.mul(a, 0.5)), 0);
  assert.equal(maxDiff(b2!, tf.mul(bf, 0.5)), 0);
  find(b, 'fc_excite.0.bias').assign(tf.fill([3], 20));
  find(b, 'fc_excite.1.bias').assign(tf.fill([2], 20));
  const [a3, b3] = b.apply([a, bf], TRAIN);
  assert.ok(maxDiff(a3!, a) < 1e-7);
  assert.ok(maxDiff(b3!, bf) < 1e-7);
  tf.dispose([a, bf, a2!, b2!, a3!, b3!]);
  b.dispose();
});

test('squeeze is the per-channel mean over every non-channel axis (2-D maps, clips, vectors)', () => {
  // 1×2×2×2 (H, W, C): channel 0 holds 1..4, channel 1 holds 10, 20, 30, 40.
  const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
  assert.deepEqual(Array.from(squeeze(x).dataSync()), [2.5, 25]);
  const clip = randn([2, 3, 4, 5, 6], 9);
  const want = tf.mean(clip, [1, 2, 3]);
  assert.ok(maxDiff(squeeze(clip), want) < 1e-6);
  const vec = randn([2, 6], 9);
  assert.equal(maxDiff(squeeze(vec), vec), 0);
  tf.dispose([x, clip, want, vec]);
});

test('ablate-partner with the sample\'s own squeezes equals regular; a changed partner mean moves only that branch', () => {
  const b = block([3, 4], [[2, 2, 3], [3, 4]]);
  const a = randn([1, 2, 2, 3], 11);
  const s = randn([1, 3, 4], 12);
  const regular = b.apply([a, s], EVAL);
  const own = [tf.reshape(squeeze(a), [3]) as tf.Tensor1D, tf.reshape(squeeze(s), [4]) as tf.Tensor1D];
  const ablated = b.apply([a, s], { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: own });
  assert.equal(maxDiff(ablated[0]!, regular[0]!), 0);
  assert.equal(maxDiff(ablated[1]!, regular[1]!), 0);
  // Modality 1's mean differs: branch 0 (whose partner is 1) changes, branch 1 does not.
  const shifted = [own[0]!, tf.add(own[1]!, 1) as tf.Tensor1D];
  const moved = b.apply([a, s], { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: shifted });
  assert.ok(maxDiff(moved[0]!, regular[0]!) > 1e-4);
  assert.equal(maxDiff(moved[1]!, regular[1]!), 0);
  // A batch of 2 with the means of other data: each branch's gate depends on its own live squeeze only.
  const a2 = randn([2, 2, 2, 3], 13);
  const s2 = randn([2, 3, 4], 14);
  const both = b.apply([a2, s2], { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: shifted });
  const s2b = tf.add(s2, 3);
  const partnerMoved = b.apply([a2, s2b], { training: false, mode: { kind: 'ablate-partner' }, squeezeMeans: shifted });
  assert.equal(maxDiff(both[0]!, partnerMoved[0]!), 0, 'branch 0 ignores the live squeeze of modality 1');
  tf.dispose([a, s, ...regular, ...own, ...ablated, shifted[1]!, ...moved, a2, s2, ...both, s2b, ...partnerMoved]);
  b.dispose();
});

test('ablate-partner without squeeze means is refused', () => {
  const b = block([3, 4]);
  const x = [randn([1, 3, 3, 3], 1), randn([1, 3, 3, 4], 2)];
  assert.throws(
    () => b.apply(x, { training: false, mode: { kind: 'ablate-partner' } }),
    (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['got'] === null,
  );
  tf.dispose(x);
  b.dispose();
});

test('legacy gate bug: every running mean follows modality 0\'s gate; evaluation forwards update too', () => {
  const b = block([3, 3]);
  const legacy = block([3, 3], undefined, { runningMean: { update: 'every-forward', momentum: 0.1, legacyGateBug: true } });
  for (let i = 0; i < 4; i++) {
    const xs = [randn([2, 3, 3, 3], 20 + i), randn([2, 3, 3, 3], 40 + i)];
    const mode = i % 2 === 0 ? TRAIN : EVAL;
    tf.dispose([...xs, ...b.apply(xs, mode), ...legacy.apply(xs, mode)]);
  }
  assert.equal(b.updates, 4);
  const r0 = Array.from(b.runningMeans[0]!.dataSync());
  const r1 = Array.from(b.runningMeans[1]!.dataSync());
  assert.ok(r0.every((v) => v > 0 && v < 1));
  assert.notDeepEqual(r0, r1);
  const l0 = Array.from(legacy.runningMeans[0]!.dataSync());
  const l1 = Array.from(legacy.runningMeans[1]!.dataSync());
  assert.deepEqual(l1, l0);
  assert.deepEqual(l0, r0);
  b.dispose();
  legacy.dispose();
});

test('running means equal the arithmetic mean of the batch-mean gates (every-forward), train-only skips eval, ema', () => {
  const xsList = [0, 1, 2].map((i) => [randn([2, 2, 2, 3], 60 + i), randn([2, 2, 2, 2], 70 + i)]);
  // Reference gates: a block whose running mean we ignore, gates read through all-ones features.
  const ref = block([3, 2], [[2, 2, 3], [2, 2, 2]]);
  const gates = xsList.map((xs) =>
    tf.tidy(() => {
      const z = ref.apply(xs, EVAL).map((o, k) => tf.div(squeeze(o), squeeze(xs[k]!)));
      return z.map((g) => Array.from(tf.mean(g, 0).dataSync()));
    }),
  );
  const mean = (k: number, idx: number[]): number[] =>
    gates[0]![k]!.map((_, c) => idx.reduce((a, i) => a + gates[i]![k]![c]!, 0) / idx.length);

  const every = block([3, 2], [[2, 2, 3], [2, 2, 2]]);
  const trainOnly = block([3, 2], [[2, 2, 3], [2, 2, 2]], { runningMean: { update: 'train-only', momentum: 0.1, legacyGateBug: false } });
  const ema = block([3, 2], [[2, 2, 3], [2, 2, 2]], { runningMean: { update: 'ema', momentum: 0.25, legacyGateBug: false } });
  const modes = [TRAIN, EVAL, TRAIN];
  xsList.forEach((xs, i) => {
    for (const b of [every, trainOnly, ema]) tf.dispose(b.apply(xs, modes[i]!));
  });
  const close = (a: number[], b: number[]): void => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5, `${v} vs ${b[i]}`));
  for (const k of [0, 1]) {
    close(Array.from(every.runningMeans[k]!.dataSync()), mean(k, [0, 1, 2]));
    close(Array.from(trainOnly.runningMeans[k]!.dataSync()), mean(k, [0, 2]));
    const e = gates[0]![k]!.map((g0, c) => {
      let r = g0;
      for (const i of [1, 2]) r = 0.75 * r + 0.25 * gates[i]![k]![c]!;
      return r;
    });
    close(Array.from(ema.runningMeans[k]!.dataSync()), e);
  }
  assert.equal(trainOnly.updates, 2);
  assert.deepEqual(every.stateDict(), { count: 3 });
  every.loadStateDict({ count: 10 });
  assert.equal(every.updates, 10);
  assert.throws(() => every.loadStateDict({ count: -1 }), (e) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_MISMATCH'));
  tf.dispose(xsList);
  for (const b of [ref, every, trainOnly, ema]) b.dispose();
});

test('rebalance k: branch k gets its running mean for every sample, the other branch equals regular mode', () => {
  for (const k of [0, 1]) {
    const b = block([3, 3], [[2, 2, 3], [2, 2, 3]], {}, 5);
    const xs = [randn([3, 2, 2, 3], 80), randn([3, 2, 2, 3], 81)];
    const regular = b.apply(xs, TRAIN);
    const mode: ForwardMode = { kind: 'rebalance', modality: k };
    const out = b.apply(xs, { training: true, mode });
    const r = b.runningMeans[k]!;
    const want = tf.mul(xs[k]!, r);
    assert.ok(maxDiff(out[k]!, want) < 1e-6, 'branch k = features ⊙ r_k');
    const other = 1 - k;
    assert.equal(maxDiff(out[other]!, regular[other]!), 0, 'other branch live');
    tf.dispose([...xs, ...regular, ...out, want]);
    b.dispose();
  }
});

test('three modalities: joint layer over all squeezes, one gate per modality, rebalance of the third', () => {
  const b = block([4, 6, 8], [[2, 2, 4], [3, 6], [2, 2, 2, 8]]);
  assert.equal(b.hidden, 9);
  const params = b.variables().filter((v) => v.trainable).reduce((a, v) => a + v.variable.size, 0);
  assert.equal(params, 18 * 9 + 9 + (9 * 4 + 4) + (9 * 6 + 6) + (9 * 8 + 8));
  const xs = [randn([2, 2, 2, 4], 1), randn([2, 3, 6], 2), randn([2, 2, 2, 2, 8], 3)];
  const out = b.apply(xs, { training: true, mode: { kind: 'rebalance', modality: 2 } });
  out.forEach((o, k) => assert.deepEqual(o.shape, xs[k]!.shape));
  const want = tf.mul(xs[2]!, b.runningMeans[2]!);
  assert.ok(maxDiff(out[2]!, want) < 1e-6);
  assert.throws(
    () => b.apply(xs, { training: true, mode: { kind: 'rebalance', modality: 3 } }),
    (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['modality'] === 3,
  );
  tf.dispose([...xs, ...out, want]);
  b.dispose();
});

test('legacyGateBug with unequal channels and a joint layer of width 0 are refused', () => {
  assert.throws(
    () => block([3, 4], undefined, { runningMean: { update: 'every-forward', momentum: 0.1, legacyGateBug: true } }),
    (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['legacyGateBug'] === true,
  );
  assert.throws(
    () => block([1, 1], undefined, { ratio: 8 }),
    (e) => isUngreedyError(e, 'UNG_ERR_MODEL_MISMATCH') && e.data['ratio'] === 8,
  );
});

test('recordSqueezes receives the per-modality squeezes [B, C_k]', () => {
  const b = block([3, 2], [[2, 2, 3], [2]]);
  const xs = [randn([2, 2, 2, 3], 1), randn([2, 2], 2)];
  let got: number[][] = [];
  const out = b.apply(xs, { ...EVAL, recordSqueezes: (sq) => (got = sq.map((s) => s.shape.slice())) });
  assert.deepEqual(got, [[2, 3], [2, 2]]);
  tf.dispose([...xs, ...out]);
  b.dispose();
});

function oneHot(labels: number[], classes: number): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(labels, 'int32'), classes) as tf.Tensor2D;
}

test('rebalance k gradients: no gradient for excitation k; shared, the other excitation and both backbones learn', async () => {
  for (const k of [0, 1]) {
    const model = await buildTestModel({
      shapes: [
        [6, 6, 3],
        [6, 6, 2],
      ],
      encoders: [{ use: 'cnn', options: { channels: [4, 4], batchNorm: true } }],
      fusion: { use: 'mmtm', after: [0, 1] },
      numClasses: 3,
    });
    const xs = [randn([4, 6, 6, 3], 90), randn([4, 6, 6, 2], 91)];
    const y = oneHot([0, 1, 2, 1], 3);
    const vars = model.variables().filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(xs, { training: true, mode: { kind: 'rebalance', modality: k } });
      return tf.add(tf.losses.softmaxCrossEntropy(y, out.heads[0]!), tf.losses.softmaxCrossEntropy(y, out.heads[1]!)) as tf.Scalar;
    }, vars.map((v) => v.variable));
    const norm = (group: string): number =>
      vars
        .filter((v) => v.group === group)
        .reduce((a, v) => {
          const g = grads[v.variable.name];
          return a + (g ? tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!) : 0);
        }, 0);
    assert.equal(norm(`fusion/${k}`), 0, `fusion/${k} has no gradient`);
    for (const g of ['fusion/shared', `fusion/${1 - k}`, 'branch/0', 'branch/1', 'head/0', 'head/1']) {
      assert.ok(norm(g) > 0, `${g} has a gradient`);
    }
    tf.dispose([value, ...Object.values(grads), ...xs, y]);
    model.dispose();
  }
});
