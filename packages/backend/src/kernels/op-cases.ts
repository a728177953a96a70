import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from './batch-norm-train.js';
import type { OpCase } from './gradient-check.js';

/**
 * Every op the built-in encoders (small CNN, ResNet-18, 3-D CNN), fusion blocks (MMTM, late fusion) and
 * strategies use, on small shapes with negative values, strides 1-3, 'same'/'valid'/explicit padding and
 * 4-D and 5-D inputs. Shapes are small so that the cpu oracle and finite differences stay fast.
 */

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

function conv2dCase(name: string, x: number[], k: [number, number], cout: number, s: number | [number, number], pad: Pad): OpCase {
  return {
    name: `conv2d ${name}`,
    inputs: { x: { shape: x }, w: { shape: [k[0], k[1], x[3]!, cout] } },
    f: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad as 'same'),
  };
}

function conv3dCase(name: string, x: number[], k: [number, number, number], cout: number, s: number | [number, number, number], pad: 'same' | 'valid'): OpCase {
  return {
    name: `conv3d ${name}`,
    inputs: { x: { shape: x }, w: { shape: [...k, x[4]!, cout] } },
    f: ({ x, w }) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, s, pad),
  };
}

function pool2dCase(kind: 'max' | 'avg', name: string, x: number[], k: number, s: number, pad: 'same' | 'valid' | number, fill: 'distinct' | 'ties' | 'negative' = 'distinct'): OpCase {
  const op = kind === 'max' ? tf.maxPool : tf.avgPool;
  return {
    name: `${kind}Pool ${name}`,
    inputs: { x: { shape: x, fill } },
    f: ({ x }) => op(x as tf.Tensor4D, k, s, pad),
    eps: 1e-3,
    noFiniteDiff: fill === 'ties',
  };
}

function pool3dCase(kind: 'max' | 'avg', name: string, x: number[], k: number | [number, number, number], s: number | [number, number, number], pad: 'same' | 'valid', fill: 'distinct' | 'negative' = 'distinct'): OpCase {
  const op = kind === 'max' ? tf.maxPool3d : tf.avgPool3d;
  return {
    name: `${kind}Pool3d ${name}`,
    inputs: { x: { shape: x, fill } },
    f: ({ x }) => op(x as tf.Tensor5D, k, s, pad),
    eps: 1e-3,
  };
}

/** Batch norm with batch statistics, the formula the built-in encoders use (`tf.batchNorm`'s 5-D grad throws). */
function bnFormula(x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

export const OP_CASES: readonly OpCase[] = [
  // conv2d: forward, input gradient (Conv2DBackpropInput), filter gradient (Conv2DBackpropFilter)
  conv2dCase('3x3 s1 same', [2, 7, 6, 3], [3, 3], 4, 1, 'same'),
  conv2dCase('3x3 s1 valid', [2, 7, 6, 3], [3, 3], 4, 1, 'valid'),
  conv2dCase('3x3 s2 same', [2, 9, 8, 3], [3, 3], 4, 2, 'same'),
  conv2dCase('3x3 s2 valid', [2, 9, 8, 3], [3, 3], 4, 2, 'valid'),
  conv2dCase('3x3 s3 same', [2, 10, 8, 2], [3, 3], 3, 3, 'same'),
  conv2dCase('3x3 s3 valid uneven', [1, 11, 9, 2], [3, 3], 3, 3, 'valid'),
  conv2dCase('3x3 s2 pad 1 (PyTorch style)', [2, 8, 8, 3], [3, 3], 4, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
  conv2dCase('1x1 s1', [2, 5, 5, 4], [1, 1], 6, 1, 'valid'),
  conv2dCase('1x1 s2 same (ResNet shortcut)', [2, 7, 7, 4], [1, 1], 6, 2, 'same'),
  conv2dCase('7x7 s2 same (ResNet stem)', [1, 14, 12, 3], [7, 7], 4, 2, 'same'),
  conv2dCase('7x7 s2 pad 3 (PyTorch stem)', [1, 14, 14, 3], [7, 7], 4, 2, [[0, 0], [3, 3], [3, 3], [0, 0]]),
  conv2dCase('3x1 s[2,1] same, one input channel', [2, 9, 5, 1], [3, 1], 3, [2, 1], 'same'),
  {
    name: 'conv2d 3x3 + bias + relu (fused)',
    inputs: { x: { shape: [2, 6, 6, 3] }, w: { shape: [3, 3, 3, 4] }, b: { shape: [4] } },
    f: ({ x, w, b }) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'same' }),
  },

  // pooling, 2-D
  pool2dCase('max', '2x2/2 valid', [2, 6, 6, 3], 2, 2, 'valid'),
  pool2dCase('max', '2x2/2 same, odd size', [2, 7, 5, 3], 2, 2, 'same'),
  pool2dCase('max', '2x2/2 valid with ties', [2, 6, 6, 3], 2, 2, 'valid', 'ties'),
  pool2dCase('max', '2x2/2 valid, all negative', [2, 4, 4, 2], 2, 2, 'valid', 'negative'),
  pool2dCase('max', '3x3/2 same (ResNet stem)', [2, 8, 7, 3], 3, 2, 'same'),
  pool2dCase('max', '3x3/2 same with ties', [2, 8, 8, 3], 3, 2, 'same', 'ties'),
  pool2dCase('max', '3x3/2 pad 1', [2, 8, 8, 3], 3, 2, 1),
  pool2dCase('max', '3x3/2 valid', [2, 9, 9, 2], 3, 2, 'valid'),
  pool2dCase('max', '3x3/1 same', [1, 5, 5, 2], 3, 1, 'same'),
  pool2dCase('max', '2x2/3 valid (gaps)', [1, 8, 8, 2], 2, 3, 'valid'),
  pool2dCase('avg', '2x2/2 valid', [2, 6, 6, 3], 2, 2, 'valid'),
  pool2dCase('avg', '3x3/2 valid', [2, 7, 7, 3], 3, 2, 'valid'),

  // pooling, 3-D
  pool3dCase('max', '2/2 valid', [2, 4, 4, 4, 2], 2, 2, 'valid'),
  pool3dCase('max', '3/2 same', [1, 5, 5, 5, 2], 3, 2, 'same'),
  pool3dCase('max', '[1,3,3]/[1,2,2] same (I3D)', [1, 3, 6, 6, 2], [1, 3, 3], [1, 2, 2], 'same'),
  pool3dCase('max', '2/2 valid, all negative', [1, 4, 4, 4, 2], 2, 2, 'valid', 'negative'),
  pool3dCase('avg', '2/2 valid', [2, 4, 4, 4, 2], 2, 2, 'valid'),
  pool3dCase('avg', '[2,3,3]/1 valid (I3D head)', [1, 3, 4, 4, 2], [2, 3, 3], 1, 'valid'),

  // conv3d: forward, Conv3DBackpropInputV2, Conv3DBackpropFilterV2
  conv3dCase('3x3x3 s1 same', [1, 4, 5, 5, 2], [3, 3, 3], 3, 1, 'same'),
  conv3dCase('3x3x3 s1 valid', [2, 4, 5, 5, 2], [3, 3, 3], 3, 1, 'valid'),
  conv3dCase('3x3x3 s2 same', [1, 5, 6, 6, 2], [3, 3, 3], 3, 2, 'same'),
  conv3dCase('3x3x3 s2 valid', [1, 5, 7, 7, 2], [3, 3, 3], 3, 2, 'valid'),
  conv3dCase('2x2x2 s2 valid', [2, 4, 4, 4, 2], [2, 2, 2], 3, 2, 'valid'),
  conv3dCase('3x1x1 s1 same (temporal)', [1, 4, 3, 3, 3], [3, 1, 1], 2, 1, 'same'),
  conv3dCase('1x3x3 s[1,2,2] same (spatial)', [1, 3, 6, 6, 2], [1, 3, 3], 3, [1, 2, 2], 'same'),
  conv3dCase('7x7x7 s2 same (I3D stem)', [1, 6, 8, 8, 2], [7, 7, 7], 2, 2, 'same'),

  // dense layers, MMTM squeeze/excite, heads
  {
    name: 'matMul',
    inputs: { a: { shape: [5, 7] }, b: { shape: [7, 4] } },
    f: ({ a, b }) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  {
    name: 'matMul transposeA',
    inputs: { a: { shape: [7, 5] }, b: { shape: [7, 4] } },
    f: ({ a, b }) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false),
  },
  {
    name: 'matMul transposeB',
    inputs: { a: { shape: [5, 7] }, b: { shape: [4, 7] } },
    f: ({ a, b }) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
  },
  {
    name: 'matMul both transposed, batched',
    inputs: { a: { shape: [3, 7, 5] }, b: { shape: [3, 4, 7] } },
    f: ({ a, b }) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, true),
  },
  {
    name: 'MMTM: squeeze, joint fc + relu, sigmoid gates, rescale',
    inputs: {
      a: { shape: [2, 4, 4, 6] },
      b: { shape: [2, 3, 3, 4] },
      ws: { shape: [10, 5] },
      bs: { shape: [5] },
      wa: { shape: [5, 6] },
      wb: { shape: [5, 4] },
    },
    f: ({ a, b, ws, bs, wa, wb }) => {
      const sa = tf.mean(a!, [1, 2]);
      const sb = tf.mean(b!, [1, 2]);
      const z = tf.relu(tf.add(tf.matMul(tf.concat([sa, sb], 1) as tf.Tensor2D, ws as tf.Tensor2D), bs!));
      const ga = tf.sigmoid(tf.matMul(z, wa as tf.Tensor2D));
      const gb = tf.sigmoid(tf.matMul(z, wb as tf.Tensor2D));
      const ya = tf.mul(a!, tf.reshape(ga, [2, 1, 1, 6]));
      const yb = tf.mul(b!, tf.reshape(gb, [2, 1, 1, 4]));
      return tf.concat([tf.reshape(ya, [2, -1]), tf.reshape(yb, [2, -1])], 1);
    },
  },

  // normalisation and losses
  {
    name: 'batch norm formula 4-D with tf.moments',
    inputs: { x: { shape: [3, 4, 4, 5] }, g: { shape: [5] }, b: { shape: [5] } },
    f: ({ x, g, b }) => bnFormula(x as tf.Tensor4D, g!, b!),
  },
  {
    name: 'batch norm formula on a 4-D view of 5-D',
    inputs: { x: { shape: [2, 3, 4, 4, 5] }, g: { shape: [5] }, b: { shape: [5] } },
    f: ({ x, g, b }) => tf.reshape(bnFormula(tf.reshape(x!, [2, 12, 4, 5]), g!, b!), [2, 3, 4, 4, 5]),
  },
  {
    name: 'batchNormTrain (fused batch norm with its own gradient)',
    inputs: { x: { shape: [3, 4, 4, 5] }, g: { shape: [5] }, b: { shape: [5] } },
    f: ({ x, g, b }) => batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5),
  },
  {
    name: 'batchNormTrain then relu and a second conv (gradient through the statistics)',
    inputs: { x: { shape: [2, 5, 5, 3] }, w: { shape: [3, 3, 3, 4] }, g: { shape: [3] }, b: { shape: [3] } },
    f: ({ x, w, g, b }) =>
      tf.conv2d(tf.relu(batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5)) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'tf.batchNorm 4-D',
    inputs: { x: { shape: [3, 4, 4, 5] }, m: { shape: [5] }, v: { shape: [5], grad: false }, g: { shape: [5] }, b: { shape: [5] } },
    f: ({ x, m, v, g, b }) => tf.batchNorm(x as tf.Tensor4D, m!, tf.add(tf.abs(v!), 0.5), b!, g!, 1e-3),
  },
  {
    name: 'relu and sigmoid',
    inputs: { x: { shape: [4, 9], fill: 'distinct' } },
    f: ({ x }) => tf.concat([tf.relu(x!), tf.sigmoid(x!)], 1),
    eps: 1e-3,
  },
  {
    name: 'softmax cross-entropy (mean over batch)',
    inputs: { logits: { shape: [6, 10] }, labels: { shape: [6, 10], grad: false } },
    f: ({ logits, labels }) => tf.losses.softmaxCrossEntropy(tf.softmax(labels!), logits!),
  },
  {
    name: 'log-softmax and one-hot CE',
    inputs: { logits: { shape: [6, 10] } },
    f: ({ logits }) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits!), tf.oneHot([1, 3, 0, 9, 9, 2], 10)), 1))),
  },
  {
    name: 'mean and sum reductions',
    inputs: { x: { shape: [2, 3, 4, 5] } },
    f: ({ x }) =>
      tf.concat([
        tf.reshape(tf.mean(x!, [1, 2]), [-1]),
        tf.reshape(tf.sum(x!, [0, 3]), [-1]),
        tf.reshape(tf.mean(x!), [1]),
        tf.reshape(tf.sum(x!, [0, 1, 2], true), [-1]),
        tf.reshape(tf.mean(x!, [0], true), [-1]),
        tf.reshape(tf.sum(x!, [2, 3]), [-1]),
      ]),
  },
  {
    name: 'concat, slice, pad, reshape',
    inputs: { a: { shape: [2, 4, 4, 3] }, b: { shape: [2, 4, 4, 2] } },
    f: ({ a, b }) => {
      const c = tf.concat([a!, b!], 3);
      const s = tf.slice(c, [0, 1, 0, 1], [2, 3, 4, 3]);
      return tf.reshape(tf.pad(s, [[0, 0], [1, 2], [0, 1], [0, 0]]), [2, -1]);
    },
  },
  {
    name: 'resizeBilinear',
    inputs: { x: { shape: [2, 4, 4, 3] } },
    f: ({ x }) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 7]),
  },
];

/** A small two-layer conv net, for the training-step and leak tests. */
export function tinyConvNet(x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor, wd: tf.Tensor2D): tf.Tensor2D {
  let h: tf.Tensor4D = tf.conv2d(x, w1, 1, 'same');
  h = tf.relu(bnFormula(h, g, b));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.conv2d(h, w2, 2, 'same'));
  return tf.matMul(tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D, wd);
}
