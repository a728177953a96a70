import * as tf from '@tensorflow/tfjs-core';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { EncoderStage } from '../../../contract/model/encoder.js';
import { createBatchNorm } from '../layers/batch-norm.js';
import { createConv3d, maxPool3d } from '../layers/conv3d.js';
import { outSize } from '../layers/shape.js';
import { assembleEncoder, checkPositive, newStore, refuseInput } from './encoder-kit.js';

export interface Cnn3dOptions {
  /** Output channels of each stage; a stage is conv3d → (batch norm) → ReLU → (max pool). */
  readonly channels: readonly number[];
  /** Cubic kernel size; padding ⌊kernel/2⌋ keeps T, H, W. */
  readonly kernel: number;
  readonly batchNorm: boolean;
  /** Max-pool window = stride per stage, [T, H, W]; [1, 1, 1] disables pooling. */
  readonly pool: readonly [number, number, number];
}

/** `cnn3d`: a small 3-D CNN over clips [T, H, W, C], built on the composed conv3d (fast and right on wasm). */
export const cnn3d: EncoderContribution<Cnn3dOptions> = {
  meta: {
    docs: { description: 'Small 3-D CNN for clips [T, H, W, C]: conv3d, batch norm, ReLU and max pooling per stage.' },
    defaultOptions: { channels: [16, 32], kernel: 3, batchNorm: true, pool: [1, 2, 2] },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        channels: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
        kernel: { type: 'integer', minimum: 1 },
        batchNorm: { type: 'boolean' },
        pool: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'integer', minimum: 1 } },
      },
    },
  },
  describe: (options) => ({ stages: options.channels.length, featureSize: options.channels.at(-1)! }),
  create(options, ctx) {
    if (ctx.inputShape.length !== 4) refuseInput('cnn3d', ctx, '[T, H, W, C]', 'Use cnn3d on clips, cnn on images.');
    const store = newStore(ctx);
    let [t, h, w, c] = ctx.inputShape as [number, number, number, number];
    const pool = options.pool;
    const pooling = pool.some((p) => p !== 1);
    const stages: EncoderStage[] = options.channels.map((out, i) => {
      const name = `conv${i + 1}`;
      const conv = createConv3d(store, name, {
        inChannels: c,
        outChannels: out,
        kernel: options.kernel,
        padding: Math.floor(options.kernel / 2),
        bias: !options.batchNorm,
      });
      const bn = options.batchNorm ? createBatchNorm(store, `bn${i + 1}`, out) : null;
      [t, h, w] = conv.outDHW([t, h, w]);
      if (pooling) [t, h, w] = [outSize(t, pool[0], pool[0], 'valid'), outSize(h, pool[1], pool[1], 'valid'), outSize(w, pool[2], pool[2], 'valid')];
      c = out;
      const outShape = [t, h, w, c];
      checkPositive('cnn3d', ctx, name, outShape);
      return {
        name,
        outShape,
        apply(x, fctx) {
          let y: tf.Tensor = conv.apply(x as tf.Tensor5D);
          if (bn) y = bn.apply(y, fctx.training);
          y = tf.relu(y);
          return pooling ? maxPool3d(y as tf.Tensor5D, pool, pool, 'valid') : y;
        },
      };
    });
    return assembleEncoder(store, stages);
  },
};
