import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  EpochContext,
  ForwardMode,
  JsonObject,
  GradientsByGroup,
  LossInput,
  ParamGradient,
  ParamGroupId,
  StepContext,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './mmpareto.schema.json' with { type: 'json' };
import { paretoWeights } from './mmpareto-math.js';

export interface MmParetoOptions {
  /** γ: the final encoder gradient is multiplied by it (the authors' code uses 1.5). */
  readonly gamma: number;
}

/** The authors' released value. */
export const defaultMmParetoOptions: MmParetoOptions = { gamma: 1.5 };

/** The name of the multi-modal loss term; uni-modal terms are `unimodal/<k>`. */
export const MULTIMODAL_TERM = 'multimodal';
export const unimodalTerm = (k: number): string => `unimodal/${k}`;

const BRANCH = /^branch\/(\d+)$/;

/** The epoch's counts behind the epoch metrics, saved in checkpoints. */
export interface MmParetoState {
  steps: number;
  /** Steps on which encoder k's gradients conflicted. */
  conflicts: number[];
  /** Σ cos(g_m, g_u) of encoder k over the epoch's steps. */
  cosSum: number[];
}

/**
 * MMPareto (Wei and Hu, ICML 2024): the loss is CE(fused) + Σ_k CE(head_k), and each encoder k is shared by the
 * multi-modal loss and its own uni-modal loss. Their gradients on `branch/k` are taken separately (`lossTerms`);
 * when they agree (cos > 0) the encoder's gradient is their plain sum, when they conflict it is the min-norm
 * (MGDA) combination 2(α_m g_m + α_u g_u), which descends both losses; either way, per parameter, it is stretched
 * to at least the norm of the summed gradient and multiplied by γ (the paper's magnitude rule). Heads and fusion
 * parameters keep the summed gradient. The only state is the epoch's conflict counts, for the epoch metrics.
 * Method: docs/mmpareto.md.
 */
export class MmParetoStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private state: MmParetoState;

  constructor(
    private readonly options: MmParetoOptions,
    private readonly numModalities: number,
  ) {
    this.state = this.emptyState();
  }

  onEpochBegin(_ctx: EpochContext): void {
    this.state = this.emptyState();
  }

  /** Epoch metrics: the conflict rate (overall and per encoder) and the mean cosine per encoder. */
  onEpochEnd(ctx: EpochContext): void {
    const s = this.state;
    if (s.steps === 0) return;
    ctx.metrics.record('conflictRate', s.conflicts.reduce((a, b) => a + b, 0) / (s.steps * this.numModalities));
    for (let k = 0; k < this.numModalities; k++) {
      ctx.metrics.record(`conflictRate/${k}`, s.conflicts[k]! / s.steps);
      ctx.metrics.record(`meanCos/${k}`, s.cosSum[k]! / s.steps);
    }
  }

  stateDict(): JsonObject {
    return { steps: this.state.steps, conflicts: [...this.state.conflicts], cosSum: [...this.state.cosSum] };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<Record<keyof MmParetoState, unknown>>;
    const numbers = (v: unknown): v is number[] =>
      Array.isArray(v) && v.length === this.numModalities && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!(Number.isInteger(s.steps) && numbers(s.conflicts) && numbers(s.cosSum))) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `mmpareto state must be { steps, conflicts, cosSum } for ${this.numModalities} modalities, but got ${JSON.stringify(state)}. Resume with the strategy the checkpoint was written by.`,
        { strategy: 'mmpareto', state },
      );
    }
    this.state = { steps: s.steps as number, conflicts: [...s.conflicts], cosSum: [...s.cosSum] };
  }

  /** L = CE(fused) + Σ_k CE(head_k): what the optimizer sees outside the encoders. Replaces `train.loss`. */
  wrapLoss(input: LossInput, _ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    return tf.tidy(() => tf.addN([input.crossEntropy(input.fused), ...input.heads.map((h) => input.crossEntropy(h))]) as tf.Scalar);
  }

  /** The multi-modal loss and each uni-modal loss, whose gradients core computes separately. */
  lossTerms(input: LossInput, _ctx: StrategyContext & { readonly mode: ForwardMode }): Record<string, tf.Scalar> {
    const terms: Record<string, tf.Scalar> = { [MULTIMODAL_TERM]: input.crossEntropy(input.fused) };
    input.heads.forEach((h, k) => {
      terms[unimodalTerm(k)] = input.crossEntropy(h);
    });
    return terms;
  }

  /** Replaces each encoder's gradient by MMPareto's combination; every other group keeps the summed gradient. */
  transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
    const mm = this.gradientSet(ctx, MULTIMODAL_TERM);
    const out = new Map<ParamGroupId, readonly ParamGradient[]>();
    const st = this.state;
    st.steps += 1;
    for (const [group, params] of grads) {
      const match = BRANCH.exec(group);
      const k = match ? Number(match[1]) : -1;
      if (k < 0 || k >= this.numModalities) {
        out.set(group, params);
        continue;
      }
      const gm = this.aligned(mm.get(group), params);
      const gu = this.aligned(this.gradientSet(ctx, unimodalTerm(k)).get(group), params);
      const dots = tf.tidy(() => {
        const dot = (a: readonly (tf.Tensor | null)[], b: readonly (tf.Tensor | null)[]) =>
          tf.addN([tf.scalar(0), ...a.flatMap((x, i) => (x && b[i] ? [tf.sum(tf.mul(x, b[i]!))] : []))]);
        return tf.stack([dot(gm, gm), dot(gm, gu), dot(gu, gu)]);
      });
      const [vmm, vmu, vuu] = Array.from(dots.dataSync());
      dots.dispose();
      const { weights, conflict, cos } = paretoWeights({ mm: vmm!, mu: vmu!, uu: vuu! });
      if (conflict) st.conflicts[k] = st.conflicts[k]! + 1;
      st.cosSum[k] = st.cosSum[k]! + cos;
      ctx.metrics.record(`cos/${k}`, cos);
      ctx.metrics.record(`conflict/${k}`, conflict ? 1 : 0);
      ctx.metrics.record(`alpha/${k}`, weights[0]);
      out.set(
        group,
        params.map((p, i) => ({ ...p, grad: this.combine(p.grad, gm[i]!, gu[i]!, weights) })),
      );
    }
    return out;
  }

  private emptyState(): MmParetoState {
    const zeros = () => Array.from({ length: this.numModalities }, () => 0);
    return { steps: 0, conflicts: zeros(), cosSum: zeros() };
  }

  /** γ · max(1, ‖g‖ / ‖h‖) · h with h = 2(α_m g_m + α_u g_u), on the device. */
  private combine(sum: tf.Tensor, gm: tf.Tensor | null, gu: tf.Tensor | null, [am, au]: [number, number]): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.add(gm ? tf.mul(gm, 2 * am) : tf.zerosLike(sum), gu ? tf.mul(gu, 2 * au) : tf.zerosLike(sum));
      const hn = tf.norm(h);
      const stretch = tf.where(tf.greater(hn, 0), tf.maximum(tf.div(tf.norm(sum), tf.maximum(hn, 1e-30)), 1), tf.onesLike(hn));
      return tf.mul(h, tf.mul(stretch, this.options.gamma));
    });
  }

  private gradientSet(ctx: StepContext, term: string): GradientsByGroup {
    const set = ctx.gradientSets.get(term);
    if (!set) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `mmpareto needs the gradients of its loss term "${term}", but the step has only ${JSON.stringify([...ctx.gradientSets.keys()])}. The model needs a fused output and one head per modality (model.heads: separate).`,
        { component: 'mmpareto', term, available: [...ctx.gradientSets.keys()] },
      );
    }
    return set;
  }

  /**
   * The term's gradient for each of `params` (matched by name), or null where the term's loss does not reach the
   * parameter (core leaves such parameters out of a gradient set): a zero gradient.
   */
  private aligned(set: readonly ParamGradient[] | undefined, params: readonly ParamGradient[]): (tf.Tensor | null)[] {
    const byName = new Map((set ?? []).map((p) => [p.name, p.grad]));
    return params.map((p) => byName.get(p.name) ?? null);
  }
}

export const mmpareto: StrategyContribution<MmParetoOptions> = {
  meta: {
    docs: {
      description:
        "MMPareto: each encoder's multi-modal and uni-modal gradients combined by the min-norm (MGDA) rule when they conflict, with the paper's magnitude rule (Wei and Hu, ICML 2024).",
    },
    defaultOptions: defaultMmParetoOptions,
    schema,
  },
  create(options: MmParetoOptions, ctx: StrategyCreateContext): MmParetoStrategy {
    requireMultiModal('mmpareto', ctx.numModalities);
    return new MmParetoStrategy(options, ctx.numModalities);
  },
};
