import { tf, UngreedyError } from '@ungreedy/core';
import type { BalancingStrategy, LossInput, StrategyContribution, StrategyCreateContext } from '@ungreedy/core';
import schema from './rubi.schema.json' with { type: 'json' };
import { stopGradient } from './stop-gradient.js';

export interface RubiOptions {
  /** The modality whose head gives the mask (RUBi's question-only branch). */
  readonly biasedModality: number;
  /** Whether CE(head_b) trains only the head, not branch b's encoder. */
  readonly stopGradient: boolean;
}

/** Modality 1 is the biased one in our two-modality datasets (the coloured digit in Colored-and-gray MNIST). */
export const defaultRubiOptions: RubiOptions = { biasedModality: 1, stopGradient: true };

/**
 * RUBi (Cadène et al. 2019) adapted to multi-modal fusion (docs/method.md#rubi). During training the fused logits are masked
 * by the biased modality's head: L = CE(fused ⊙ σ(head_b)) + CE(head_b'), where head_b' is head b applied to
 * branch b's features behind a stop-gradient (with `stopGradient`), so the bias-only classifier learns without
 * pushing the encoder further towards the bias. The fused prediction plays RUBi's base model, so the other
 * heads learn only through the masked fused term, as RUBi's base model does. No mask at test time: evaluation
 * uses the plain fused logits in regular mode.
 */
export class RubiStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';

  constructor(private readonly options: RubiOptions) {}

  /** Replaces the default Σ_k CE(head_k) by RUBi's loss. */
  wrapLoss(input: LossInput): tf.Scalar {
    const b = this.options.biasedModality;
    return tf.tidy(() => {
      const head = input.heads[b]!;
      const masked = tf.mul(input.fused, tf.sigmoid(head)) as tf.Tensor2D;
      const biasOnly = this.options.stopGradient ? input.applyHead(b, stopGradient(input.features[b]!)) : head;
      return tf.add(crossEntropy(masked, input.oneHot), crossEntropy(biasOnly, input.oneHot)) as tf.Scalar;
    });
  }
}

/** Softmax cross-entropy against one-hot labels, batch mean (as the trainer's base loss). */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

export const rubi: StrategyContribution<RubiOptions> = {
  meta: {
    docs: {
      description: "RUBi baseline: the biased modality's head masks the fused logits during training (Cadène et al. 2019).",
    },
    defaultOptions: defaultRubiOptions,
    schema,
  },
  create(options: RubiOptions, ctx: StrategyCreateContext): RubiStrategy {
    if (options.biasedModality >= ctx.numModalities) {
      const message = `must be < ${ctx.numModalities} (the number of modalities)`;
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `rubi option /biasedModality ${message}, but got ${options.biasedModality}. Pick one of the model's modalities (0-based).`,
        {
          component: 'rubi',
          issues: [{ pointer: '/strategy/options/biasedModality', message, value: options.biasedModality }],
        },
      );
    }
    return new RubiStrategy(options);
  },
};
