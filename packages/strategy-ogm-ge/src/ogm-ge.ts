import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  EpochContext,
  GradientsByGroup,
  JsonObject,
  ParamGradient,
  ParamGroupId,
  StepContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './ogm-ge.schema.json' with { type: 'json' };
import { modulation } from './ogm-ge-math.js';
import type { CoefficientRule } from './ogm-ge-math.js';

export interface OgmGeOptions {
  /** α ≥ 0: the modulation strength; 0 turns OGM off (GE still applies when on). */
  readonly alpha: number;
  /** `shifted`: k = 1 − tanh(α(ρ − 1)); `eq10`: k = 1 − tanh(αρ) (the paper's Eq. 10). */
  readonly rule: CoefficientRule;
  /** First epoch (1-based) in which gradients are modulated. */
  readonly startEpoch: number;
  /** Last epoch (inclusive) in which gradients are modulated; null for the whole run. */
  readonly endEpoch: number | null;
  /** GE: add N(0, std(g)²) noise to every modulated encoder gradient. */
  readonly gaussianEnhancement: boolean;
  /** Which encoder parameters are modulated: all of `branch/k`, or only its kernels (rank ≥ 2, as the authors' code). */
  readonly parameters: 'all' | 'kernels';
}

/** The authors' recommended α for the smaller two-modality dataset (CREMA-D), the whole run, GE on. */
export const defaultOgmGeOptions: OgmGeOptions = {
  alpha: 0.8,
  rule: 'shifted',
  startEpoch: 1,
  endEpoch: null,
  gaussianEnhancement: true,
  parameters: 'all',
};

/** Added to GE's standard deviation, as in the authors' code, so a zero gradient still gets a defined noise. */
const GE_STD_FLOOR = 1e-8;

const BRANCH = /^branch\/(\d+)$/;

/** The epoch's running sums behind the epoch metrics `meanRho/<k>` and `meanCoeff/<k>`, saved in checkpoints. */
export interface OgmGeState {
  steps: number;
  coeffSum: number[];
  rhoSum: number[];
  /** Steps whose ρ_k was finite. */
  rhoCount: number[];
}

/**
 * OGM-GE (Peng et al., CVPR 2022): each training step, the heads' confidence on the true class gives every
 * modality a discrepancy ratio ρ_k; the encoder of a modality ahead of the others (ρ_k > 1) has its gradient
 * scaled by k_k = 1 − tanh(α(ρ_k − 1)), and with GE every modulated encoder gradient gets Gaussian noise with
 * its own standard deviation. Heads and fusion parameters are left alone. ρ comes from this step's batch and the
 * noise from the run's `strategy` stream (checkpointed by core); the only state is the epoch's running means of ρ
 * and k, for the epoch metrics. Method: docs/ogm-ge.md.
 */
export class OgmGeStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private state: OgmGeState;

  constructor(
    private readonly options: OgmGeOptions,
    private readonly numModalities: number,
  ) {
    this.state = this.emptyState();
  }

  onEpochBegin(_ctx: EpochContext): void {
    this.state = this.emptyState();
  }

  /** Epoch metrics: the mean ρ_k and the mean coefficient applied to encoder k over the epoch's steps. */
  onEpochEnd(ctx: EpochContext): void {
    const s = this.state;
    for (let k = 0; k < this.numModalities; k++) {
      if (s.steps > 0) ctx.metrics.record(`meanCoeff/${k}`, s.coeffSum[k]! / s.steps);
      if (s.rhoCount[k]! > 0) ctx.metrics.record(`meanRho/${k}`, s.rhoSum[k]! / s.rhoCount[k]!);
    }
  }

  stateDict(): JsonObject {
    const s = this.state;
    return { steps: s.steps, coeffSum: [...s.coeffSum], rhoSum: [...s.rhoSum], rhoCount: [...s.rhoCount] };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<Record<keyof OgmGeState, unknown>>;
    const numbers = (v: unknown): v is number[] =>
      Array.isArray(v) && v.length === this.numModalities && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!(Number.isInteger(s.steps) && numbers(s.coeffSum) && numbers(s.rhoSum) && numbers(s.rhoCount))) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `ogm-ge state must be { steps, coeffSum, rhoSum, rhoCount } for ${this.numModalities} modalities, but got ${JSON.stringify(state)}. Resume with the strategy the checkpoint was written by.`,
        { strategy: 'ogm-ge', state },
      );
    }
    this.state = { steps: s.steps as number, coeffSum: [...s.coeffSum], rhoSum: [...s.rhoSum], rhoCount: [...s.rhoCount] };
  }

  /** Whether `epoch` lies in [startEpoch, endEpoch]. */
  active(epoch: number): boolean {
    const { startEpoch, endEpoch } = this.options;
    return epoch >= startEpoch && (endEpoch === null || epoch <= endEpoch);
  }

  transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
    const { headProbs, labels, numClasses } = ctx.batch;
    if (headProbs.length !== this.numModalities) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `ogm-ge needs one head per modality (${this.numModalities}), but the step has ${headProbs.length} head outputs. Use a model with a head per modality (model.heads: separate).`,
        { component: 'ogm-ge', expected: this.numModalities, actual: headProbs.length },
      );
    }
    const m = modulation(headProbs, labels, numClasses, this.options.alpha, this.options.rule);
    const active = this.active(ctx.epoch);
    const coeff = active ? m.coeff : m.coeff.map(() => 1);
    const s = this.state;
    s.steps += 1;
    for (let k = 0; k < this.numModalities; k++) {
      if (Number.isFinite(m.rho[k]!)) {
        ctx.metrics.record(`rho/${k}`, m.rho[k]!);
        s.rhoSum[k] = s.rhoSum[k]! + m.rho[k]!;
        s.rhoCount[k] = s.rhoCount[k]! + 1;
      }
      ctx.metrics.record(`coeff/${k}`, coeff[k]!);
      s.coeffSum[k] = s.coeffSum[k]! + coeff[k]!;
    }
    if (!active) return grads;
    const ge = this.options.gaussianEnhancement;
    if (!ge && coeff.every((c) => c === 1)) return grads;
    const out = new Map<ParamGroupId, readonly ParamGradient[]>();
    for (const [group, params] of grads) {
      const match = BRANCH.exec(group);
      const k = match ? Number(match[1]) : -1;
      if (k < 0 || k >= this.numModalities) {
        out.set(group, params);
        continue;
      }
      const c = coeff[k]!;
      if (c === 1 && !ge) {
        out.set(group, params);
        continue;
      }
      out.set(group, params.map((p) => (this.modulated(p) ? { ...p, grad: this.modulate(p.grad, c, ge ? ctx.rng.int(0x7fffffff) : null) } : p)));
    }
    return out;
  }

  private emptyState(): OgmGeState {
    const zeros = () => Array.from({ length: this.numModalities }, () => 0);
    return { steps: 0, coeffSum: zeros(), rhoSum: zeros(), rhoCount: zeros() };
  }

  private modulated(p: ParamGradient): boolean {
    return this.options.parameters === 'all' || p.shape.length >= 2;
  }

  /** k·g, plus N(0, std(k·g)²) noise drawn with `seed` when GE is on (the authors' order: scale, then noise). */
  private modulate(grad: tf.Tensor, k: number, seed: number | null): tf.Tensor {
    return tf.tidy(() => {
      const scaled = k === 1 ? tf.clone(grad) : tf.mul(grad, k);
      if (seed === null) return scaled;
      const n = scaled.size;
      const std =
        n > 1 ? tf.sqrt(tf.div(tf.sum(tf.square(tf.sub(scaled, tf.mean(scaled)))), n - 1)) : tf.scalar(0);
      const noise = tf.mul(tf.randomNormal(scaled.shape, 0, 1, 'float32', seed), tf.add(std, GE_STD_FLOOR));
      return tf.add(scaled, noise);
    });
  }
}

export const ogmGe: StrategyContribution<OgmGeOptions> = {
  meta: {
    docs: {
      description:
        "OGM-GE: scales the dominant modality's encoder gradients by 1 − tanh(α(ρ − 1)) and adds Gaussian noise (Peng et al., CVPR 2022).",
    },
    defaultOptions: defaultOgmGeOptions,
    schema,
  },
  create(options: OgmGeOptions, ctx: StrategyCreateContext): OgmGeStrategy {
    requireMultiModal('ogm-ge', ctx.numModalities);
    if (options.endEpoch !== null && options.endEpoch < options.startEpoch) {
      const message = `must be ≥ startEpoch (${options.startEpoch}) or null`;
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `ogm-ge option /endEpoch ${message}, but got ${options.endEpoch}. Fix: raise endEpoch, lower startEpoch, or set endEpoch to null for the whole run.`,
        { component: 'ogm-ge', issues: [{ pointer: '/strategy/options/endEpoch', message, value: options.endEpoch }] },
      );
    }
    return new OgmGeStrategy(options, ctx.numModalities);
  },
};
