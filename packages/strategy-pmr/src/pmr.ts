import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  EpochContext,
  ForwardMode,
  JsonObject,
  Logger,
  LossInput,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './pmr.schema.json' with { type: 'json' };
import {
  PrototypeAccumulator,
  prototypeCoefficients,
  prototypeCrossEntropy,
  prototypeEntropy,
  prototypeLogits,
  prototypeScore,
} from './pmr-math.js';
import type { Prototypes } from './pmr-math.js';

export interface PmrOptions {
  readonly alpha: number;
  readonly momentum: number;
  readonly entropyWeight: number;
  readonly entropyEpochs: number;
  readonly startEpoch: number;
  /** 0: until the end of training. */
  readonly endEpoch: number;
}

export const defaultPmrOptions: PmrOptions = {
  alpha: 1,
  momentum: 0.2,
  entropyWeight: 0,
  entropyEpochs: 5,
  startEpoch: 1,
  endEpoch: 0,
};

/** One modality's prototypes as saved in checkpoints. */
export interface SavedPrototypes {
  numClasses: number;
  dim: number;
  values: number[];
}

/**
 * Saved in checkpoints (STYLE.md H12): the prototypes, which a mid-epoch resume cannot recompute (the epoch's
 * onEpochBegin ran before the checkpoint, on the model as it was then). Null before the first epoch begins.
 */
export interface PmrState {
  prototypes: SavedPrototypes[] | null;
}

/**
 * PMR (Fan et al., CVPR 2023), docs/pmr.md. At every epoch begin, class prototypes per modality (the mean
 * feature of each class over the training split, with momentum). Each step, the prototype scores
 * s_m = Σ_i softmax(−‖z_i^m − c^m‖)[y_i] give the imbalance ratio; the slower modality's prototype cross-entropy
 * is added to the loss with the paper's coefficient clip(ρ − 1, 0, 1) (ρ the leader's score over its own), so
 * that modality's encoder is pulled toward its prototypes.
 */
export class PmrStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private prototypes: Prototypes[] | null = null;

  constructor(
    private readonly options: PmrOptions,
    private readonly numModalities: number,
    private readonly log: Logger,
  ) {}

  /** One inference pass over the training split: the mean feature per class and modality, blended with momentum. */
  async onEpochBegin(ctx: EpochContext): Promise<void> {
    const numClasses = ctx.data.numClasses;
    const accumulators: (PrototypeAccumulator | null)[] = Array.from({ length: this.numModalities }, () => null);
    await ctx.data.forEachBatch('train', ({ features, labels }) => {
      for (let m = 0; m < this.numModalities; m += 1) {
        const f = features[m]!;
        const acc = (accumulators[m] ??= new PrototypeAccumulator(numClasses, f.shape[1]));
        acc.add(f.dataSync(), labels);
      }
    });
    if (accumulators.some((a) => a === null)) {
      // No training batch (an empty split): keep the prototypes we have; without any, PMR adds nothing.
      this.log.warn({ epoch: ctx.epoch }, 'pmr saw no training batch; prototypes unchanged');
      return;
    }
    const previous = this.prototypes;
    this.prototypes = accumulators.map((acc, m) => acc!.finish(previous?.[m] ?? null, this.options.momentum));
    this.log.debug({ epoch: ctx.epoch, numClasses }, 'pmr prototypes computed');
  }

  /** Adds α Σ_m β_m · PCE_m (and, with entropyWeight, the PER term) to the base loss; records ρ and β. */
  wrapLoss(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    const protos = this.prototypes;
    if (protos === null || !this.active(ctx.epoch)) return input.baseLoss;
    const { alpha, entropyWeight, entropyEpochs, startEpoch } = this.options;
    return tf.tidy(() => {
      const logits = input.features.map((z, m) => {
        const p = protos[m]!;
        if (z.shape[1] !== p.dim) {
          throw new UngreedyError(
            'UNG_ERR_CHECKPOINT_MISMATCH',
            `pmr prototypes of modality ${m} have ${p.dim} features, but the branch gives ${z.shape[1]}. Resume with the model the run was started with.`,
            { strategy: 'pmr', modality: m, expected: p.dim, actual: z.shape[1] },
          );
        }
        return prototypeLogits(z, tf.tensor2d(p.values, [p.numClasses, p.dim]));
      });
      const scores = logits.map((l) => prototypeScore(l, input.oneHot));
      const betas = prototypeCoefficients(scores);
      if (this.numModalities === 2) ctx.metrics.record('ratio', scores[0]! / scores[1]!);
      const batch = input.oneHot.shape[0];
      for (let m = 0; m < this.numModalities; m += 1) {
        ctx.metrics.record(`score/${m}`, scores[m]! / batch);
        ctx.metrics.record(`beta/${m}`, betas[m]!);
      }
      let loss: tf.Scalar = input.baseLoss;
      for (let m = 0; m < this.numModalities; m += 1) {
        if (betas[m]! > 0 && alpha > 0) loss = tf.add(loss, tf.mul(prototypeCrossEntropy(logits[m]!, input.oneHot), alpha * betas[m]!));
      }
      const weight = Math.max(...betas);
      if (entropyWeight > 0 && weight > 0 && ctx.epoch < startEpoch + entropyEpochs) {
        const leader = scores.indexOf(Math.max(...scores));
        loss = tf.sub(loss, tf.mul(prototypeEntropy(logits[leader]!), entropyWeight * weight));
      }
      return loss;
    });
  }

  stateDict(): JsonObject {
    return {
      prototypes: this.prototypes === null ? null : this.prototypes.map((p) => ({ numClasses: p.numClasses, dim: p.dim, values: Array.from(p.values) })),
    };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<PmrState>;
    const list = s.prototypes;
    const valid =
      list === null ||
      (Array.isArray(list) &&
        list.length === this.numModalities &&
        list.every(
          (p) =>
            Number.isInteger(p?.numClasses) &&
            Number.isInteger(p?.dim) &&
            Array.isArray(p.values) &&
            p.values.length === p.numClasses * p.dim &&
            p.values.every((v) => typeof v === 'number' && Number.isFinite(v)),
        ));
    if (!valid) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `the checkpoint's pmr state must be { prototypes: null | ${this.numModalities} × { numClasses, dim, values } }, but got another shape. Resume with the strategy and model the run was started with.`,
        { strategy: 'pmr' },
      );
    }
    this.prototypes = list === null ? null : list!.map((p) => ({ numClasses: p.numClasses, dim: p.dim, values: Float32Array.from(p.values) }));
  }

  private active(epoch: number): boolean {
    const { startEpoch, endEpoch } = this.options;
    return epoch >= startEpoch && (endEpoch === 0 || epoch <= endEpoch);
  }
}

export const pmr: StrategyContribution<PmrOptions> = {
  meta: {
    docs: {
      description:
        "PMR: class prototypes per modality from a pass over the training split; the slower modality's prototype cross-entropy is added with the paper's imbalance coefficient (Fan et al., CVPR 2023).",
    },
    defaultOptions: defaultPmrOptions,
    schema,
  },
  create(options: PmrOptions, ctx: StrategyCreateContext): PmrStrategy {
    requireMultiModal('pmr', ctx.numModalities);
    return new PmrStrategy(options, ctx.numModalities, ctx.log);
  },
};
