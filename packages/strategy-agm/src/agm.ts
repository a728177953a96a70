import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  ForwardMode,
  GradientsByGroup,
  JsonObject,
  Logger,
  LossInput,
  ParamGradient,
  ParamGroupId,
  StepContext,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './agm.schema.json' with { type: 'json' };
import { agmCoefficients, maskedCoalitions, maskedModalities, monoModalResponses, responseScore, updateAverages } from './agm-math.js';

export interface AgmOptions {
  readonly alpha: number;
  readonly clip: number;
  readonly scoreAverage: 'cumulative' | 'exponential';
  readonly momentum: number;
  readonly maskFill: 'zeros' | 'train-mean';
  readonly startEpoch: number;
  /** 0: until the end of training. */
  readonly endEpoch: number;
}

export const defaultAgmOptions: AgmOptions = {
  alpha: 0.1,
  clip: 10,
  scoreAverage: 'cumulative',
  momentum: 0.9,
  maskFill: 'zeros',
  startEpoch: 1,
  endEpoch: 0,
};

/** Saved in checkpoints (STYLE.md H12): the running-average scores ŝ and how many steps they average. */
export interface AgmState {
  averages: number[];
  count: number;
}

/**
 * AGM (Li et al., ICCV 2023), docs/agm.md. Each step, the mono-modal responses o^m (Shapley values of the fused
 * output over masked forward passes) give each modality a score s_m (cross-entropy of o^m); their discrepancy
 * ratios r_m against the ratios η_m of the running-average scores give κ_m = exp(α · min(η_m − r_m, clip)), which
 * scales the gradient of modality m's encoder (`branch/m`).
 */
export class AgmStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private state: AgmState;
  /** Scores of the step in flight: measured in wrapLoss, used in transformGradients. */
  private pending: number[] | null = null;

  constructor(
    private readonly options: AgmOptions,
    private readonly numModalities: number,
    private readonly log: Logger,
  ) {
    this.state = { averages: new Array<number>(numModalities).fill(0), count: 0 };
  }

  /** Measures this batch's scores from 2^M − 2 masked passes (no gradient flows through them); the loss is unchanged. */
  wrapLoss(input: LossInput, _ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    const n = this.numModalities;
    const full = (1 << n) - 1;
    this.pending = tf.tidy(() => {
      const outputs = new Map<number, tf.Tensor2D>([[full, input.fused]]);
      for (const s of maskedCoalitions(n)) {
        outputs.set(s, input.forwardMasked({ modalities: maskedModalities(s, n), fill: this.options.maskFill }).fused);
      }
      const responses = monoModalResponses((s) => outputs.get(s)!, n);
      return responses.map((r) => responseScore(r, input.oneHot));
    });
    return input.baseLoss;
  }

  /** Scales each encoder's gradients by κ_m inside the modulation window; records scores, ratios and κ. */
  transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
    const scores = this.pending;
    this.pending = null;
    if (scores === null) return grads;
    const { alpha, clip, scoreAverage, momentum } = this.options;
    const { ratios, coefficients } = agmCoefficients(scores, this.state.averages, alpha, clip);
    this.state = {
      averages: updateAverages(this.state.averages, scores, this.state.count, scoreAverage === 'cumulative' ? null : momentum),
      count: this.state.count + 1,
    };
    const active = this.active(ctx.epoch);
    for (let m = 0; m < this.numModalities; m += 1) {
      ctx.metrics.record(`score/${m}`, scores[m]!);
      ctx.metrics.record(`ratio/${m}`, ratios[m]!);
      ctx.metrics.record(`coef/${m}`, active ? coefficients[m]! : 1);
    }
    if (!active) return grads;
    const out = new Map<ParamGroupId, readonly ParamGradient[]>(grads);
    for (let m = 0; m < this.numModalities; m += 1) {
      const group: ParamGroupId = `branch/${m}`;
      const list = grads.get(group);
      if (!list) continue;
      const k = coefficients[m]!;
      out.set(group, list.map((p) => ({ ...p, grad: tf.mul(p.grad, k) })));
    }
    return out;
  }

  stateDict(): JsonObject {
    return { averages: [...this.state.averages], count: this.state.count };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<AgmState>;
    const valid =
      Array.isArray(s.averages) &&
      s.averages.length === this.numModalities &&
      s.averages.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
      Number.isInteger(s.count) &&
      (s.count as number) >= 0;
    if (!valid) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `the checkpoint's agm state must be { averages: number[${this.numModalities}], count }, but got ${JSON.stringify(state)}. Resume with the strategy and model the run was started with.`,
        { strategy: 'agm', state },
      );
    }
    this.state = { averages: [...(s.averages as number[])], count: s.count as number };
    this.pending = null;
  }

  private active(epoch: number): boolean {
    const { startEpoch, endEpoch } = this.options;
    return epoch >= startEpoch && (endEpoch === 0 || epoch <= endEpoch);
  }
}

export const agm: StrategyContribution<AgmOptions> = {
  meta: {
    docs: {
      description:
        "AGM: Shapley mono-modal responses from masked forward passes give each modality a score; each encoder's gradient is scaled toward balance by exp(α·(η − r)) (Li et al., ICCV 2023).",
    },
    defaultOptions: defaultAgmOptions,
    schema,
  },
  create(options: AgmOptions, ctx: StrategyCreateContext): AgmStrategy {
    requireMultiModal('agm', ctx.numModalities);
    return new AgmStrategy(options, ctx.numModalities, ctx.log);
  },
};
