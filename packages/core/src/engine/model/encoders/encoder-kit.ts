import type * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../../contract/errors/errors.js';
import type { Encoder, EncoderContext, EncoderStage } from '../../../contract/model/encoder.js';
import { ParamStore } from '../layers/param-store.js';
import { globalAvgPool } from '../layers/pool.js';

/** Refuses an input the encoder cannot read (UNG_ERR_MODEL_MISMATCH), naming encoder, modality and shapes. */
export function refuseInput(encoder: string, ctx: EncoderContext, expected: string, fix: string): never {
  throw new UngreedyError(
    'UNG_ERR_MODEL_MISMATCH',
    `encoder "${encoder}" for modality ${ctx.modality} expects input ${expected}, but got [${ctx.inputShape.join(', ')}]. ${fix}`,
    { encoder, modality: ctx.modality, inputShape: [...ctx.inputShape], expected },
  );
}

/** Refuses options that shrink the features to nothing (an input too small for the strides and pools). */
export function refuseTooSmall(encoder: string, ctx: EncoderContext, stage: string, shape: readonly number[]): never {
  throw new UngreedyError(
    'UNG_ERR_MODEL_MISMATCH',
    `encoder "${encoder}" for modality ${ctx.modality} needs every stage output to be at least 1 cell, but stage "${stage}" gives [${shape.join(', ')}] for input [${ctx.inputShape.join(', ')}]. Use larger inputs, fewer pools or a smaller stride.`,
    { encoder, modality: ctx.modality, inputShape: [...ctx.inputShape], stage, outShape: [...shape] },
  );
}

export function checkPositive(encoder: string, ctx: EncoderContext, stage: string, shape: readonly number[]): void {
  if (shape.some((d) => !(d >= 1))) refuseTooSmall(encoder, ctx, stage, shape);
}

/** An encoder from its stages, with global average pooling over every non-channel axis. */
export function assembleEncoder(store: ParamStore, stages: EncoderStage[], pool?: (x: tf.Tensor) => tf.Tensor2D): Encoder {
  const last = stages[stages.length - 1]!;
  return {
    stages,
    featureSize: last.outShape[last.outShape.length - 1]!,
    pool: pool ?? globalAvgPool,
    variables: () => store.variables(),
    dispose: () => store.dispose(),
  };
}

export function newStore(ctx: EncoderContext): ParamStore {
  return ParamStore.create(ctx.namePrefix, ctx.rng);
}
