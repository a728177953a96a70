import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ungreedy/core';
import { batchNormTrain, buildModel, builtinPlugin, createPluginRegistry } from '@ungreedy/core/engine';
import { silentLogger } from '@ungreedy/core/testing';

/**
 * The benchmark's models, written with raw tfjs ops so that they mirror torch_bench.py layer for layer
 * (same parameter counts, PyTorch padding, batch-statistics batch norm, Adam 1e-3). They do not depend on
 * the model package, so the numbers measure the backends, not a particular layer library.
 */

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Trainable variables, grouped (the learning-speed probe reduces once per group). */
  readonly groups: Readonly<Record<string, tf.Variable[]>>;
  /** The training loss on the workload's fixed batch. */
  loss(): tf.Scalar;
  dispose(): void;
}

export interface Sizes {
  readonly quick: boolean;
}

class Params {
  readonly vars: tf.Variable[] = [];
  private seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  /** Kaiming-normal (fan_out, relu) like torchvision's conv init. */
  conv(shape: number[], fanOut: number): tf.Variable {
    return this.add(tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', this.seed++));
  }

  dense(nIn: number, nOut: number): [tf.Variable, tf.Variable] {
    const bound = 1 / Math.sqrt(nIn);
    return [this.add(tf.randomUniform([nIn, nOut], -bound, bound, 'float32', this.seed++)), this.add(tf.randomUniform([nOut], -bound, bound, 'float32', this.seed++))];
  }

  bn(c: number): [tf.Variable, tf.Variable] {
    return [this.add(tf.ones([c])), this.add(tf.zeros([c]))];
  }

  private add(t: tf.Tensor): tf.Variable {
    const v = tf.variable(t, true);
    t.dispose();
    this.vars.push(v);
    return v;
  }
}

/**
 * Batch norm with batch statistics, on a 4-D view (the 5-D tf.batchNorm gradient throws). `UNGREEDY_BENCH_BN=formula`
 * uses the plain formula with tf.moments (what the model package does today) instead of the fused `batchNormTrain`.
 */
const FORMULA_BN = process.env.UNGREEDY_BENCH_BN === 'formula';
function bn(x: tf.Tensor, [g, b]: [tf.Variable, tf.Variable]): tf.Tensor {
  const shape = x.shape;
  const x4 = (shape.length === 5 ? tf.reshape(x, [shape[0]!, shape[1]! * shape[2]!, shape[3]!, shape[4]!]) : x) as tf.Tensor4D;
  let y: tf.Tensor;
  if (FORMULA_BN) {
    const { mean, variance } = tf.moments(x4, [0, 1, 2]);
    y = tf.add(tf.mul(tf.mul(tf.sub(x4, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  } else {
    y = batchNormTrain(x4, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
  }
  return shape.length === 5 ? tf.reshape(y, shape) : y;
}

const pad = (p: number): [[number, number], [number, number], [number, number], [number, number]] => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];

function ce(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits as tf.Tensor2D) as tf.Scalar;
}

function batch(shape: number[], classes: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const idx = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([shape[0]!], 0, classes, 'float32', seed + 1)), 'int32'));
  const y = tf.oneHot(idx as tf.Tensor1D, classes);
  idx.dispose();
  return { x, y };
}

/** (i) Two branches of conv3x3 (3→32→64→128) + BN + ReLU + maxpool2, 10-class heads, summed CE. */
export function cnn2(s: Sizes): Workload {
  const b = s.quick ? 16 : 64;
  const data = [batch([b, 32, 32, 3], 10, 1), batch([b, 32, 32, 3], 10, 3)];
  const branches = [0, 1].map((k) => {
    const p = new Params(100 + 50 * k);
    const convs = [
      [3, 32],
      [32, 64],
      [64, 128],
    ].map(([ci, co]) => ({ w: p.conv([3, 3, ci!, co!], 9 * co!), bn: p.bn(co!) }));
    const head = p.dense(4 * 4 * 128, 10);
    return { p, convs, head };
  });
  return {
    name: 'cnn2',
    description: `two-branch 3-conv CNN, batch ${b}, 32x32`,
    groups: { branch0: branches[0]!.p.vars, branch1: branches[1]!.p.vars },
    loss: () =>
      tf.addN(
        branches.map((br, k) => {
          let h = data[k]!.x as tf.Tensor4D;
          for (const c of br.convs) h = tf.maxPool(tf.relu(bn(tf.conv2d(h, c.w as tf.Tensor4D, 1, pad(1)), c.bn)) as tf.Tensor4D, 2, 2, 'valid');
          const logits = tf.add(tf.matMul(tf.reshape(h, [b, -1]), br.head[0]), br.head[1]);
          return ce(logits, data[k]!.y);
        }),
      ) as tf.Scalar,
    dispose: () => {
      for (const br of branches) for (const v of br.p.vars) v.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
    },
  };
}

interface Block {
  readonly c1: tf.Variable;
  readonly bn1: [tf.Variable, tf.Variable];
  readonly c2: tf.Variable;
  readonly bn2: [tf.Variable, tf.Variable];
  readonly down?: { readonly w: tf.Variable; readonly bn: [tf.Variable, tf.Variable] };
  readonly stride: number;
}

/** A torchvision ResNet-18 trunk (BasicBlock [2,2,2,2]) split into stages: stem+layer1, layer2, layer3, layer4. */
function resnet18Trunk(p: Params): { stem: { w: tf.Variable; bn: [tf.Variable, tf.Variable] }; layers: Block[][] } {
  const stem = { w: p.conv([7, 7, 3, 64], 49 * 64), bn: p.bn(64) };
  const layers: Block[][] = [];
  let cin = 64;
  for (const [i, cout] of [64, 128, 256, 512].entries()) {
    const blocks: Block[] = [];
    for (let j = 0; j < 2; j++) {
      const stride = i > 0 && j === 0 ? 2 : 1;
      const c1 = p.conv([3, 3, cin, cout], 9 * cout);
      const bn1 = p.bn(cout);
      const c2 = p.conv([3, 3, cout, cout], 9 * cout);
      const bn2 = p.bn(cout);
      const down = stride !== 1 || cin !== cout ? { w: p.conv([1, 1, cin, cout], cout), bn: p.bn(cout) } : undefined;
      blocks.push(down === undefined ? { c1, bn1, c2, bn2, stride } : { c1, bn1, c2, bn2, down, stride });
      cin = cout;
    }
    layers.push(blocks);
  }
  return { stem, layers };
}

function basicBlock(x: tf.Tensor4D, blk: Block): tf.Tensor4D {
  let out = tf.relu(bn(tf.conv2d(x, blk.c1 as tf.Tensor4D, blk.stride, pad(1)), blk.bn1)) as tf.Tensor4D;
  out = bn(tf.conv2d(out, blk.c2 as tf.Tensor4D, 1, pad(1)), blk.bn2) as tf.Tensor4D;
  const sc = blk.down === undefined ? x : bn(tf.conv2d(x, blk.down.w as tf.Tensor4D, blk.stride, 'valid'), blk.down.bn);
  return tf.relu(tf.add(out, sc)) as tf.Tensor4D;
}

function runStage(x: tf.Tensor4D, trunk: ReturnType<typeof resnet18Trunk>, stage: number): tf.Tensor4D {
  let h = x;
  if (stage === 0) {
    h = tf.relu(bn(tf.conv2d(h, trunk.stem.w as tf.Tensor4D, 2, pad(3)), trunk.stem.bn)) as tf.Tensor4D;
    h = tf.maxPool(h, 3, 2, 1);
  }
  for (const blk of trunk.layers[stage]!) h = basicBlock(h, blk);
  return h;
}

/** (ii) One ResNet-18 branch with a 10-class head. */
export function resnet18(s: Sizes): Workload {
  const b = s.quick ? 4 : 8;
  const hw = s.quick ? 64 : 112;
  const data = batch([b, hw, hw, 3], 10, 5);
  const p = new Params(300);
  const trunk = resnet18Trunk(p);
  const fc = p.dense(512, 10);
  return {
    name: 'resnet18',
    description: `ResNet-18 branch, batch ${b}, ${hw}x${hw}`,
    groups: { branch0: p.vars },
    loss: () => {
      let h = data.x as tf.Tensor4D;
      for (let st = 0; st < 4; st++) h = runStage(h, trunk, st);
      const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, fc[0]), fc[1]);
      return ce(logits, data.y);
    },
    dispose: () => {
      for (const v of p.vars) v.dispose();
      tf.dispose([data.x, data.y]);
    },
  };
}

/** (iii) conv3d 3x3x3 3→32 + BN + ReLU + maxPool3d 2 on [2, 8, 56, 56, 3], loss mean(y²). */
export function video(s: Sizes): Workload {
  const shape = s.quick ? [1, 4, 28, 28, 3] : [2, 8, 56, 56, 3];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 9);
  const p = new Params(500);
  const w = p.conv([3, 3, 3, 3, 32], 27 * 32);
  const norm = p.bn(32);
  return {
    name: 'video',
    description: `conv3d video block, [${shape.join(',')}]`,
    groups: { branch0: p.vars },
    loss: () => {
      const y = tf.maxPool3d(tf.relu(bn(tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same'), norm)) as tf.Tensor5D, 2, 2, 'valid');
      return tf.mean(tf.square(y)) as tf.Scalar;
    },
    dispose: () => {
      for (const v of p.vars) v.dispose();
      x.dispose();
    },
  };
}

/** The paper's MMTM (docs/method.md#mmtm): squeeze both, joint FC + ReLU, sigmoid gate per modality, rescale. */
function mmtm(p: Params, ca: number, cb: number) {
  const d = Math.floor((2 * (ca + cb)) / 4);
  const sq = p.dense(ca + cb, d);
  const fa = p.dense(d, ca);
  const fb = p.dense(d, cb);
  return (a: tf.Tensor4D, b: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] => {
    const z = tf.relu(tf.add(tf.matMul(tf.concat([tf.mean(a, [1, 2]), tf.mean(b, [1, 2])], 1) as tf.Tensor2D, sq[0]), sq[1]));
    const ga = tf.sigmoid(tf.add(tf.matMul(z as tf.Tensor2D, fa[0]), fa[1]));
    const gb = tf.sigmoid(tf.add(tf.matMul(z as tf.Tensor2D, fb[0]), fb[1]));
    return [tf.mul(a, tf.reshape(ga, [a.shape[0], 1, 1, ca])), tf.mul(b, tf.reshape(gb, [b.shape[0], 1, 1, cb]))];
  };
}

/**
 * (iv) The paper's ModelNet40 network: two ResNet-18 branches, MMTMs after layers 2-4, 40-class heads; at 112 px,
 * or at the paper's 224 px (`mmtm224`, the GPU workload).
 */
export function mmtm2(s: Sizes, size = 112): Workload {
  const b = s.quick ? 4 : 8;
  const hw = s.quick ? 64 : size;
  const data = [batch([b, hw, hw, 3], 40, 11), batch([b, hw, hw, 3], 40, 13)];
  const pb = [new Params(700), new Params(900)];
  const trunks = pb.map((p) => resnet18Trunk(p));
  const pf = new Params(1100);
  const fusions = [128, 256, 512].map((c) => mmtm(pf, c, c));
  const heads = pb.map((p) => p.dense(512, 40));
  return {
    name: 'mmtm',
    description: `two-branch ResNet-18 + 3 MMTM (ModelNet40), batch ${b}, ${hw}x${hw}`,
    groups: { branch0: pb[0]!.vars, branch1: pb[1]!.vars, fusion: pf.vars },
    loss: () => {
      let h = data.map((d) => d.x as tf.Tensor4D);
      for (let st = 0; st < 4; st++) {
        h = h.map((x, k) => runStage(x, trunks[k]!, st));
        if (st > 0) h = fusions[st - 1]!(h[0]!, h[1]!);
      }
      return tf.addN(
        h.map((x, k) => ce(tf.add(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, heads[k]![0]), heads[k]![1]), data[k]!.y)),
      ) as tf.Scalar;
    },
    dispose: () => {
      for (const p of [...pb, pf]) for (const v of p.vars) v.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
    },
  };
}

/**
 * (v) The same ModelNet40 network built by the project itself (`buildModel`: resnet18 encoders, mmtm after
 * stages 1-3, 40-class heads), i.e. what `ungreedy train` runs: it measures the model code on top of the kernels.
 */
export async function mmtmCore(s: Sizes): Promise<Workload> {
  const b = s.quick ? 4 : 8;
  const hw = s.quick ? 64 : 112;
  const registry = createPluginRegistry();
  registry.add({ manifest: builtinPlugin, specifier: '@ungreedy/core', resolvedFrom: 'builtin' });
  const model = await buildModel({
    model: { modalities: null, encoders: [{ use: 'resnet18', options: {} }], fusion: { use: 'mmtm', options: {}, after: [1, 2, 3] } },
    modalities: [
      { name: 'front', shape: [hw, hw, 3] },
      { name: 'rear', shape: [hw, hw, 3] },
    ],
    numClasses: 40,
    registry,
    rng: Rng.fromSeed(1, 'init'),
    log: silentLogger(),
  });
  const data = [batch([b, hw, hw, 3], 40, 11), batch([b, hw, hw, 3], 40, 13)];
  const groups: Record<string, tf.Variable[]> = {};
  for (const v of model.variables()) {
    if (!v.trainable) continue;
    (groups[v.group ?? 'other'] ??= []).push(v.variable);
  }
  return {
    name: 'mmtm-core',
    description: `the same network from buildModel (resnet18 + mmtm), batch ${b}, ${hw}x${hw}`,
    groups,
    loss: () => {
      const out = model.forward(
        data.map((d) => d.x),
        { training: true, mode: { kind: 'regular' } },
      );
      return tf.addN(out.heads.map((h, k) => ce(h, data[k]!.y))) as tf.Scalar;
    },
    dispose: () => {
      model.dispose();
      for (const d of data) tf.dispose([d.x, d.y]);
    },
  };
}

export const WORKLOADS: Readonly<Record<string, (s: Sizes) => Workload | Promise<Workload>>> = {
  cnn2,
  resnet18,
  video,
  mmtm: mmtm2,
  mmtm224: (s) => mmtm2(s, 224),
  'mmtm-core': mmtmCore,
};
