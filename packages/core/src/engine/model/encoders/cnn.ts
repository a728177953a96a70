import * as tf from '@tensorflow/tfjs-core';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { EncoderStage } from '../../../contract/model/encoder.js';
import { createBatchNorm } from '../layers/batch-norm.js';
import { createConv2d } from '../layers/conv2d.js';
import { avgPool2d, maxPool2d } from '../layers/pool.js';
import { outSize } from '../layers/shape.js';
import { assembleEncoder, checkPositive, newStore, refuseInput } from './encoder-kit.js';

export interface CnnOptions {
  /** Output channels of each stage; a stage is conv → (batch norm) → ReLU → (pool). */
  readonly channels: readonly number[];
  readonly kernel: number;
  readonly stride: number;
  readonly batchNorm: boolean;
  readonly pool: 'max' | 'avg' | 'none';
  readonly poolSize: number;
}

/**
 * `cnn`: a small configurable 2-D CNN over [H, W, C] images. Convolutions pad by ⌊kernel/2⌋ (PyTorch
 * style); they carry a bias only when batch norm is off. Pooling (size = stride = `poolSize`) ends each stage.
 */
export const cnn: EncoderContribution<CnnOptions> = {
  meta: {
    docs: { description: 'Small 2-D CNN: conv, batch norm, ReLU and pooling per stage; for images [H, W, C].' },
    defaultOptions: { channels: [32, 64, 128], kernel: 3, stride: 1, batchNorm: true, pool: 'max', poolSize: 2 },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        channels: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
        kernel: { type: 'integer', minimum: 1 },
        stride: { type: 'integer', minimum: 1 },
        batchNorm: { type: 'boolean' },
        pool: { enum: ['max', 'avg', 'none'] },
        poolSize: { type: 'integer', minimum: 1 },
      },
    },
  },
  describe: (options) => ({ stages: options.channels.length, featureSize: options.channels.at(-1)! }),
  create(options, ctx) {
    if (ctx.inputShape.length !== 3) {
      refuseInput('cnn', ctx, '[H, W, C]', 'Use the cnn encoder on images, or mlp on vectors.');
    }
    const store = newStore(ctx);
    const stages: EncoderStage[] = [];
    let [h, w, c] = ctx.inputShape as [number, number, number];
    const pad = Math.floor(options.kernel / 2);
    options.channels.forEach((out, i) => {
      const name = `conv${i + 1}`;
      const conv = createConv2d(store, name, {
        inChannels: c,
        outChannels: out,
        kernel: options.kernel,
        stride: options.stride,
        padding: pad,
        bias: !options.batchNorm,
      });
      const bn = options.batchNorm ? createBatchNorm(store, `bn${i + 1}`, out) : null;
      [h, w] = conv.outHW(h, w);
      if (options.pool !== 'none') {
        h = outSize(h, options.poolSize, options.poolSize, 'valid');
        w = outSize(w, options.poolSize, options.poolSize, 'valid');
      }
      c = out;
      const outShape = [h, w, c];
      checkPositive('cnn', ctx, name, outShape);
      stages.push({
        name,
        outShape,
        apply(x, fctx) {
          let y: tf.Tensor = conv.apply(x as tf.Tensor4D);
          if (bn) y = bn.apply(y, fctx.training);
          y = tf.relu(y);
          if (options.pool === 'max') y = maxPool2d(y as tf.Tensor4D, options.poolSize, options.poolSize);
          else if (options.pool === 'avg') y = avgPool2d(y as tf.Tensor4D, options.poolSize, options.poolSize);
          return y;
        },
      });
    });
    return assembleEncoder(store, stages);
  },
};
