import * as tf from '@tensorflow/tfjs-core';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { EncoderStage } from '../../../contract/model/encoder.js';
import type { ForwardContext } from '../../../contract/model/module.js';
import { createBatchNorm } from '../layers/batch-norm.js';
import { createConv3d, maxPool3d, type Triple } from '../layers/conv3d.js';
import type { ParamStore } from '../layers/param-store.js';
import { outSize } from '../layers/shape.js';
import { assembleEncoder, checkPositive, newStore, refuseInput } from './encoder-kit.js';

export interface I3dOptions {
  /** Channel multiplier: every layer gets max(1, round(width·channels)); 1 is the published network. */
  readonly width: number;
  /** Batch norm of every unit (PyTorch I3D ports use eps 1e-3, momentum 0.01). */
  readonly batchNorm: { readonly momentum: number; readonly eps: number };
}

/** Output channels of an Inception module's branches: [1×1, 3×3 reduce, 3×3, 3×3 reduce, 3×3, pool proj]. */
type InceptionSpec = readonly [number, number, number, number, number, number];

/** Inception-V1 modules as inflated by Carreira & Zisserman (2017), in order. */
export const I3D_MIXED: readonly (readonly [string, InceptionSpec])[] = [
  ['mixed_3b', [64, 96, 128, 16, 32, 32]],
  ['mixed_3c', [128, 128, 192, 32, 96, 64]],
  ['mixed_4b', [192, 96, 208, 16, 48, 64]],
  ['mixed_4c', [160, 112, 224, 24, 64, 64]],
  ['mixed_4d', [128, 128, 256, 24, 64, 64]],
  ['mixed_4e', [112, 144, 288, 32, 64, 64]],
  ['mixed_4f', [256, 160, 320, 32, 128, 128]],
  ['mixed_5b', [256, 160, 320, 32, 128, 128]],
  ['mixed_5c', [384, 192, 384, 48, 128, 128]],
];

/** Max pools that precede a module (TensorFlow 'same' padding): window = stride. */
const POOL_BEFORE: Readonly<Record<string, { size: Triple; stride: Triple }>> = {
  mixed_4b: { size: [3, 3, 3], stride: [2, 2, 2] },
  mixed_5b: { size: [2, 2, 2], stride: [2, 2, 2] },
};

type Shape4 = [number, number, number, number];

interface Unit {
  readonly out: number;
  apply(x: tf.Tensor5D, training: boolean): tf.Tensor5D;
  outShape(s: Shape4): Shape4;
}

/** Unit3D: conv3d (no bias, TensorFlow 'same' padding) → batch norm → ReLU. */
function unit(store: ParamStore, name: string, inC: number, out: number, kernel: number | Triple, stride: number | Triple, o: I3dOptions): Unit {
  const s = store.child(name);
  const conv = createConv3d(s, 'conv3d', { inChannels: inC, outChannels: out, kernel, stride, padding: 'same' });
  const bn = createBatchNorm(s, 'bn', out, o.batchNorm);
  return {
    out,
    apply: (x, training) => tf.relu(bn.apply(conv.apply(x), training)) as tf.Tensor5D,
    outShape: ([t, h, w]) => [...conv.outDHW([t, h, w]), out],
  };
}

function poolShape([t, h, w, c]: Shape4, stride: Triple): Shape4 {
  return [outSize(t, 0, stride[0], 'same'), outSize(h, 0, stride[1], 'same'), outSize(w, 0, stride[2], 'same'), c];
}

/**
 * `i3d`: Inflated Inception-V1 (Carreira & Zisserman 2017) over clips [T, H, W, C], without its logits layer;
 * features are globally average-pooled (1024 channels at width 1). All 3-D convolutions and pools are
 * composed from 2-D ones (see layers/conv3d.ts). Random init only: no ImageNet/Kinetics weights.
 *
 * Stages (fusion `after` indices), one per Inception module so a fusion block can follow any of them:
 * 0 = stem (conv 7×7×7/2, pool 1×3×3/1×2×2, conv 1×1×1, conv 3×3×3, pool 1×3×3/1×2×2; 192 ch),
 * 1 = mixed_3b (256), 2 = mixed_3c (480), 3 = pool 3×3×3/2 + mixed_4b (512), 4 = mixed_4c (512),
 * 5 = mixed_4d (512), 6 = mixed_4e (528), 7 = mixed_4f (832), 8 = pool 2×2×2/2 + mixed_5b (832),
 * 9 = mixed_5c (1024). E.g. fusion after mixed_4f and mixed_5c: `after: [7, 9]`.
 */
export const i3d: EncoderContribution<I3dOptions> = {
  meta: {
    docs: {
      description:
        'Inflated Inception-V1 (I3D) for clips [T, H, W, C]; one stage per Inception module (0 stem, 1 mixed_3b … 9 mixed_5c); `width` scales channels.',
    },
    defaultOptions: { width: 1, batchNorm: { momentum: 0.01, eps: 1e-3 } },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        width: { type: 'number', exclusiveMinimum: 0 },
        batchNorm: {
          type: 'object',
          additionalProperties: false,
          properties: { momentum: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, eps: { type: 'number', exclusiveMinimum: 0 } },
        },
      },
    },
  },
  describe(options) {
    const ch = (c: number): number => Math.max(1, Math.round(c * options.width));
    const last = I3D_MIXED.at(-1)![1];
    return { stages: 1 + I3D_MIXED.length, featureSize: ch(last[0]) + ch(last[2]) + ch(last[4]) + ch(last[5]) };
  },
  create(options, ctx) {
    if (ctx.inputShape.length !== 4) refuseInput('i3d', ctx, '[T, H, W, C]', 'Use i3d on clips.');
    const ch = (c: number): number => Math.max(1, Math.round(c * options.width));
    const store = newStore(ctx);
    let shape = [...ctx.inputShape] as Shape4;

    const stem1 = unit(store, 'conv3d_1a_7x7', shape[3], ch(64), 7, 2, options);
    const stem2 = unit(store, 'conv3d_2b_1x1', stem1.out, ch(64), 1, 1, options);
    const stem3 = unit(store, 'conv3d_2c_3x3', stem2.out, ch(192), 3, 1, options);
    const stemPool = { size: [1, 3, 3] as Triple, stride: [1, 2, 2] as Triple };
    shape = stem1.outShape(shape);
    shape = poolShape(shape, stemPool.stride);
    shape = stem3.outShape(stem2.outShape(shape));
    shape = poolShape(shape, stemPool.stride);
    const stages: EncoderStage[] = [];
    stages.push({
      name: 'stem',
      outShape: [...shape],
      apply(x: tf.Tensor, f: ForwardContext) {
        let y = stem1.apply(x as tf.Tensor5D, f.training);
        y = maxPool3d(y, stemPool.size, stemPool.stride, 'same');
        y = stem3.apply(stem2.apply(y, f.training), f.training);
        return maxPool3d(y, stemPool.size, stemPool.stride, 'same');
      },
    });
    checkPositive('i3d', ctx, 'stem', shape);

    for (const [name, spec] of I3D_MIXED) {
      const pool = POOL_BEFORE[name];
      if (pool) shape = poolShape(shape, pool.stride);
      const inC = shape[3];
      const s = store.child(name);
      const [c0, c1a, c1b, c2a, c2b, c3] = [ch(spec[0]), ch(spec[1]), ch(spec[2]), ch(spec[3]), ch(spec[4]), ch(spec[5])];
      const b0 = unit(s, 'b0', inC, c0, 1, 1, options);
      const b1a = unit(s, 'b1a', inC, c1a, 1, 1, options);
      const b1b = unit(s, 'b1b', c1a, c1b, 3, 1, options);
      const b2a = unit(s, 'b2a', inC, c2a, 1, 1, options);
      const b2b = unit(s, 'b2b', c2a, c2b, 3, 1, options);
      const b3 = unit(s, 'b3b', inC, c3, 1, 1, options);
      shape = [shape[0], shape[1], shape[2], c0 + c1b + c2b + c3];
      checkPositive('i3d', ctx, name, shape);
      stages.push({
        name,
        outShape: [...shape],
        apply(x: tf.Tensor, f: ForwardContext) {
          const t = f.training;
          let y = x as tf.Tensor5D;
          if (pool) y = maxPool3d(y, pool.size, pool.stride, 'same');
          const y3 = b3.apply(maxPool3d(y, 3, 1, 'same'), t);
          const branches = [b0.apply(y, t), b1b.apply(b1a.apply(y, t), t), b2b.apply(b2a.apply(y, t), t), y3];
          // Concatenated on channels through [N·D·H·W, C] views: the gradient of a rank-5 concat slices rank-5
          // tensors, which wasm does element by element in JavaScript (see conv3d's takeFrames).
          const [n, d, h, w] = branches[0]!.shape;
          const joined = tf.concat(branches.map((b) => tf.reshape(b, [-1, b.shape[4]!])), 1);
          return tf.reshape(joined, [n!, d!, h!, w!, joined.shape[1]!]);
        },
      });
    }
    return assembleEncoder(store, stages);
  },
};
