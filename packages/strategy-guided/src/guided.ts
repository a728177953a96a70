import { REGULAR, RebalancingStrategy, requireMultiModal } from '@ungreedy/core';
import type { ForwardMode, GradientsByGroup, JsonObject, LearningSpeed, Logger, RebalancingOptions, RebalancingState, StepContext, StrategyContribution, StrategyCreateContext } from '@ungreedy/core';
import schema from './guided.schema.json' with { type: 'json' };

/** `warmupEpochs`: epochs of plain joint training; the state machine unlocks at epoch `warmupEpochs + 1`. */
export interface GuidedOptions extends RebalancingOptions {
  /** ε, in units of `logBase`. */
  readonly threshold: number;
  /** Q: re-balancing steps per trigger. */
  readonly window: number;
  /** Base of the conditional learning speed's logarithm. */
  readonly logBase: number;
}

/** The reference's values (docs/method.md#guided, #training): ε = 0.01 in log10, Q = 5, unlock at epoch 2, all parameters updated. */
export const defaultGuidedOptions: GuidedOptions = {
  warmupEpochs: 1,
  threshold: 0.01,
  window: 5,
  logBase: 10,
  rebalanceUpdates: 'all',
  evaluationMode: 'regular',
};

/** The state machine's state, saved in checkpoints (STYLE.md H12). */
export interface GuidedState extends RebalancingState {
  /** The mode of the next training step. */
  mode: 'regular' | 'rebalance';
  /** The helped modality while `mode` is `rebalance`, else null. */
  modality: number | null;
  /** Re-balancing steps done in the current window. */
  counter: number;
  /** Windows scheduled so far. */
  triggers: number;
}

/**
 * Balanced multi-modal learning (Wu et al. 2022), the reference's `Bias_Mitigation_Strong` state machine
 * (docs/method.md#guided). After warm-up, each regular step compares the spread of the conditional learning speeds
 * s_k = log_b(Σμ(θ'_k) / Σμ(θ_k)) with ε; above it, the next `window` steps re-balance the modality with the
 * largest s_k (the one that learns more from the others than from its own input, i.e. the slower one).
 * Re-balancing steps only count down the window: d_speed is recomputed at the next regular step.
 */
export class GuidedStrategy extends RebalancingStrategy<GuidedOptions, GuidedState> {
  private warnedNoBypass = false;

  constructor(options: GuidedOptions, numModalities: number, log: Logger) {
    super(
      {
        id: 'guided',
        stateShape: '{ unlocked, mode, modality, counter, triggers }',
        initialState: { unlocked: false, mode: 'regular', modality: null, counter: 0, triggers: 0 },
      },
      options,
      numModalities,
      log,
    );
  }

  /** The mode decided at the previous step's `onAfterBackward` (the reference sets its flags there). */
  chooseForwardMode(): ForwardMode {
    const { mode, modality } = this.state;
    return mode === 'rebalance' && modality !== null ? { kind: 'rebalance', modality } : REGULAR;
  }

  /** Advances the state machine once per step, after the probe has updated the accumulators. */
  onAfterBackward(_grads: GradientsByGroup, ctx: StepContext): void {
    const s = this.state;
    if (s.mode === 'rebalance') {
      s.counter += 1;
      if (s.counter >= this.options.window) {
        s.mode = 'regular';
        s.modality = null;
        s.counter = 0;
      }
      return;
    }
    if (!s.unlocked) return;
    const speeds = this.speeds(ctx.speed);
    if (speeds.some((v) => !Number.isFinite(v))) {
      // A model without fusion parameters (late fusion) has no bypass groups: there is nothing to re-balance.
      if (!this.warnedNoBypass) {
        this.warnedNoBypass = true;
        this.log.warn({ step: ctx.step, total: ctx.speed.total }, 'guided cannot compute the learning speed; no re-balancing');
      }
      return;
    }
    const spread = this.numModalities === 2 ? speeds[0]! - speeds[1]! : Math.max(...speeds) - Math.min(...speeds);
    if (!(Math.abs(spread) > this.options.threshold)) return;
    // For two modalities argmax(s) is the reference's rule: k = 0 if d > 0 else 1.
    const k = this.numModalities === 2 ? (spread > 0 ? 0 : 1) : speeds.indexOf(Math.max(...speeds));
    s.mode = 'rebalance';
    s.modality = k;
    s.counter = 0;
    s.triggers += 1;
    this.log.debug({ step: ctx.step, dSpeed: spread, modality: k }, 'guided re-balancing scheduled');
  }

  protected parseState(state: JsonObject): GuidedState | undefined {
    const s = state as Partial<GuidedState>;
    const valid =
      typeof s.unlocked === 'boolean' &&
      (s.mode === 'regular' || s.mode === 'rebalance') &&
      (s.mode === 'regular' ? s.modality === null : this.isModality(s.modality)) &&
      Number.isInteger(s.counter) &&
      Number.isInteger(s.triggers);
    return valid ? { ...(s as GuidedState) } : undefined;
  }

  /** s_k from the probe's never-reset totals, in this strategy's log base. */
  private speeds(speed: LearningSpeed): number[] {
    const ln = Math.log(this.options.logBase);
    return speed.total.main.map((m, k) => Math.log((speed.total.bypass[k] ?? 0) / m) / ln);
  }
}

export const guided: StrategyContribution<GuidedOptions> = {
  meta: {
    docs: {
      description:
        'Balanced multi-modal learning: re-balances the modality that learns slower, by conditional learning speed (Wu et al. 2022).',
    },
    defaultOptions: defaultGuidedOptions,
    schema,
  },
  create(options: GuidedOptions, ctx: StrategyCreateContext): GuidedStrategy {
    requireMultiModal('guided', ctx.numModalities);
    return new GuidedStrategy(options, ctx.numModalities, ctx.log);
  },
};
