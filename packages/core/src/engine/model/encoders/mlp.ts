import * as tf from '@tensorflow/tfjs-core';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { EncoderStage } from '../../../contract/model/encoder.js';
import { createDense } from '../layers/dense.js';
import { assembleEncoder, newStore, refuseInput } from './encoder-kit.js';

export interface MlpOptions {
  /** Width of each hidden layer; each layer (dense + activation) is one stage. */
  readonly hidden: readonly number[];
  readonly activation: 'relu' | 'tanh' | 'none';
}

/**
 * `mlp`: a multi-layer perceptron over a vector, or over any per-sample tensor flattened to one.
 * Stage i is dense layer i and its activation; fusion after stage i sees [hidden[i]] features.
 */
export const mlp: EncoderContribution<MlpOptions> = {
  meta: {
    docs: { description: 'Multi-layer perceptron over a flattened input; one stage per hidden layer.' },
    defaultOptions: { hidden: [128, 128], activation: 'relu' },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hidden: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
        activation: { enum: ['relu', 'tanh', 'none'] },
      },
    },
  },
  describe: (options) => ({ stages: options.hidden.length, featureSize: options.hidden.at(-1)! }),
  create(options, ctx) {
    const inFeatures = ctx.inputShape.reduce((a, b) => a * b, 1);
    if (ctx.inputShape.length === 0 || !(inFeatures >= 1)) {
      refuseInput('mlp', ctx, '[F] or any non-empty shape', 'Give the modality a non-empty per-sample shape.');
    }
    const store = newStore(ctx);
    const stages: EncoderStage[] = [];
    let width = inFeatures;
    options.hidden.forEach((h, i) => {
      const dense = createDense(store, `fc${i + 1}`, width, h);
      const flatten = i === 0 && ctx.inputShape.length !== 1;
      stages.push({
        name: `fc${i + 1}`,
        outShape: [h],
        apply(x) {
          const v = flatten ? tf.reshape(x, [x.shape[0]!, inFeatures]) : x;
          const y = dense.apply(v);
          if (options.activation === 'relu') return tf.relu(y);
          if (options.activation === 'tanh') return tf.tanh(y);
          return y;
        },
      });
      width = h;
    });
    return assembleEncoder(store, stages);
  },
};
