import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  ForwardMode,
  JsonObject,
  Logger,
  LossInput,
  SplitSummary,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
  ValidationResult,
} from '@ungreedy/core';
import schema from './gblending.schema.json' with { type: 'json' };
import { blendWeights, ogr, uniformWeights } from './gblending-math.js';
import type { LossPoint } from './gblending-math.js';

export interface GBlendingOptions {
  /** `offline`: estimate once after the first super-epoch, then keep the weights; `online`: re-estimate every super-epoch. */
  readonly mode: 'offline' | 'online';
  /** n: epochs between the two checkpoints an estimate compares. */
  readonly superEpoch: number;
  /** Blend the fused output's loss too (the paper's multi-modal head), besides one loss per modality head. */
  readonly fusedTerm: boolean;
}

/** The paper's main variant (offline), estimates over one epoch, the fused output blended with the heads. */
export const defaultGBlendingOptions: GBlendingOptions = { mode: 'offline', superEpoch: 1, fusedTerm: true };

/** Saved in checkpoints (STYLE.md H12). */
export interface GBlendingState {
  /** The blended loss weights, one per term (heads 0…N−1, then fused when `fusedTerm`); Σ = 1. */
  weights: number[];
  /** Each term's losses at the last checkpoint (the N of the next estimate), or null before the first epoch ends. */
  anchor: LossPoint[] | null;
  /** The epoch of `anchor`. */
  anchorEpoch: number | null;
  /** Offline mode after its estimate: the weights no longer change. */
  frozen: boolean;
  /** Estimates made so far. */
  estimates: number;
}

/**
 * Gradient-Blending (Wang, Tran, Feiszli, CVPR 2020): the training loss is Σ_j w_j CE(logits_j) over the modality
 * heads and the fused output, with w_j ∝ ΔG_j / ΔO_j², ΔG the fall of term j's held-out loss and ΔO the growth of
 * its held-out/train gap over a super-epoch of n epochs, measured on the val split after each epoch. Online mode
 * re-estimates after every super-epoch; offline mode once, then keeps the weights. Method: docs/gblending.md.
 */
export class GBlendingStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private state: GBlendingState;

  constructor(
    private readonly options: GBlendingOptions,
    private readonly numModalities: number,
    private readonly log: Logger,
  ) {
    this.state = { weights: uniformWeights(this.numTerms), anchor: null, anchorEpoch: null, frozen: false, estimates: 0 };
  }

  /** Number of blended terms: one per head, plus the fused output with `fusedTerm`. */
  get numTerms(): number {
    return this.numModalities + (this.options.fusedTerm ? 1 : 0);
  }

  /** The current weights (a copy). */
  get weights(): number[] {
    return [...this.state.weights];
  }

  /** Σ_j w_j CE(logits_j): heads first, then the fused output. Replaces the model's `train.loss`. */
  wrapLoss(input: LossInput, _ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    const w = this.state.weights;
    return tf.tidy(() => {
      const terms = input.heads.map((h, k) => tf.mul(input.crossEntropy(h), w[k]!));
      if (this.options.fusedTerm) terms.push(tf.mul(input.crossEntropy(input.fused), w[this.numModalities]!));
      return tf.addN(terms) as tf.Scalar;
    });
  }

  /** Takes this epoch's per-term train and val losses as a checkpoint; after a super-epoch, re-estimates. */
  onValidationEnd(result: ValidationResult, ctx: StrategyContext): void {
    if (result.val === null) {
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        'gblending measures generalisation on the val split, but the dataset has none. Fix: give the dataset a validation split (e.g. its valSize option), or use another strategy.',
        { component: 'gblending', issues: [{ pointer: '/dataset/options', message: 'needs a val split for gblending' }] },
      );
    }
    const point = this.lossPoints(result.train, result.val);
    const s = this.state;
    if (!s.frozen && s.anchor !== null && s.anchorEpoch !== null && result.epoch - s.anchorEpoch >= this.options.superEpoch) {
      const w = blendWeights(s.anchor, point);
      point.forEach((p, j) => {
        const r = ogr(s.anchor![j]!, p).ogr;
        if (Number.isFinite(r)) ctx.metrics.record(`ogr/${this.termName(j)}`, r);
      });
      if (w === null) {
        this.log.warn({ epoch: result.epoch, weights: s.weights }, 'gblending: no output generalised over the super-epoch; weights kept');
      } else {
        s.weights = w;
        s.estimates += 1;
        this.log.debug({ epoch: result.epoch, weights: w }, 'gblending weights estimated');
      }
      if (this.options.mode === 'offline') s.frozen = true;
    }
    if (s.anchor === null || (s.anchorEpoch !== null && result.epoch - s.anchorEpoch >= this.options.superEpoch)) {
      s.anchor = point;
      s.anchorEpoch = result.epoch;
    }
    s.weights.forEach((w, j) => ctx.metrics.record(`weight/${this.termName(j)}`, w));
  }

  stateDict(): JsonObject {
    const s = this.state;
    return {
      weights: [...s.weights],
      anchor: s.anchor === null ? null : s.anchor.map((p) => ({ train: p.train, val: p.val })),
      anchorEpoch: s.anchorEpoch,
      frozen: s.frozen,
      estimates: s.estimates,
    };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<Record<keyof GBlendingState, unknown>>;
    const isPoint = (p: unknown): p is LossPoint =>
      p !== null && typeof p === 'object' && typeof (p as LossPoint).train === 'number' && typeof (p as LossPoint).val === 'number';
    const valid =
      Array.isArray(s.weights) &&
      s.weights.length === this.numTerms &&
      s.weights.every((w) => typeof w === 'number' && Number.isFinite(w)) &&
      (s.anchor === null || (Array.isArray(s.anchor) && s.anchor.length === this.numTerms && s.anchor.every(isPoint))) &&
      (s.anchorEpoch === null || Number.isInteger(s.anchorEpoch)) &&
      typeof s.frozen === 'boolean' &&
      Number.isInteger(s.estimates);
    if (!valid) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `gblending state must be { weights, anchor, anchorEpoch, frozen, estimates } with ${this.numTerms} terms, but got ${JSON.stringify(state)}. Resume with the strategy options the checkpoint was written with.`,
        { strategy: 'gblending', state },
      );
    }
    const v = state as unknown as GBlendingState;
    this.state = {
      weights: [...v.weights],
      anchor: v.anchor === null ? null : v.anchor.map((p) => ({ train: p.train, val: p.val })),
      anchorEpoch: v.anchorEpoch,
      frozen: v.frozen,
      estimates: v.estimates,
    };
  }

  private lossPoints(train: SplitSummary, val: SplitSummary): LossPoint[] {
    const points: LossPoint[] = [];
    for (let k = 0; k < this.numModalities; k++) points.push({ train: train.heads[k]!.loss, val: val.heads[k]!.loss });
    if (this.options.fusedTerm) points.push({ train: train.fused.loss, val: val.fused.loss });
    return points;
  }

  private termName(j: number): string {
    return j < this.numModalities ? String(j) : 'fused';
  }
}

export const gblending: StrategyContribution<GBlendingOptions> = {
  meta: {
    docs: {
      description:
        'Gradient-Blending: loss weights per head and fused output from the overfitting-to-generalisation ratio on the val split (Wang, Tran, Feiszli, CVPR 2020).',
    },
    defaultOptions: defaultGBlendingOptions,
    schema,
  },
  create(options: GBlendingOptions, ctx: StrategyCreateContext): GBlendingStrategy {
    requireMultiModal('gblending', ctx.numModalities);
    return new GBlendingStrategy(options, ctx.numModalities, ctx.log);
  },
};
