import { isRebalance, REGULAR, RebalancingStrategy, requireMultiModal } from '@ungreedy/core';
import type { ForwardMode, GradientsByGroup, JsonObject, Logger, RebalancingOptions, RebalancingState, StepContext, StrategyContribution, StrategyCreateContext } from '@ungreedy/core';
import schema from './random.schema.json' with { type: 'json' };

/** `warmupEpochs`: epochs of plain joint training; random modes start at epoch `warmupEpochs + 1`. */
export type RandomOptions = RebalancingOptions;

/** The reference's values (spec §4.3): unlock at epoch 2, every parameter updated. */
export const defaultRandomOptions: RandomOptions = {
  warmupEpochs: 1,
  rebalanceUpdates: 'all',
  evaluationMode: 'regular',
};

/** Saved in checkpoints (STYLE.md H12). */
export interface RandomState extends RebalancingState {
  /** The helped modality of the next step, or null for a regular step. */
  next: number | null;
}

/**
 * The mode a draw c ∈ {0, …, N} selects: 0 → regular, c ≥ 1 → re-balance modality N − c. For two modalities
 * this is the reference's `Bias_Mitigation_Random` table (spec §4.3): 0 → regular, 1 → re-balance k = 1,
 * 2 → re-balance k = 0.
 */
export function modeForDraw(draw: number, numModalities: number): ForwardMode {
  return draw === 0 ? REGULAR : { kind: 'rebalance', modality: numModalities - draw };
}

/**
 * The random variant of balanced multi-modal learning (spec §4.3): after warm-up, the mode of each next step is
 * drawn uniformly among N + 1 choices (regular, or re-balance one modality) from the run's `strategy` stream.
 * Like the reference, the draw happens after each backward pass and decides the following step, so the first
 * step after warm-up is regular.
 */
export class RandomStrategy extends RebalancingStrategy<RandomOptions, RandomState> {
  constructor(options: RandomOptions, numModalities: number, log: Logger) {
    super({ id: 'random', stateShape: '{ unlocked, next }', initialState: { unlocked: false, next: null } }, options, numModalities, log);
  }

  chooseForwardMode(): ForwardMode {
    return this.state.next === null ? REGULAR : { kind: 'rebalance', modality: this.state.next };
  }

  /** Draws the next step's mode (the reference's `on_backward_end`). */
  onAfterBackward(_grads: GradientsByGroup, ctx: StepContext): void {
    if (!this.state.unlocked) return;
    const mode = modeForDraw(ctx.rng.int(this.numModalities + 1), this.numModalities);
    this.state.next = isRebalance(mode) ? mode.modality : null;
  }

  protected parseState(state: JsonObject): RandomState | undefined {
    const { unlocked, next } = state as Partial<RandomState>;
    return typeof unlocked === 'boolean' && (next === null || this.isModality(next)) ? { unlocked, next } : undefined;
  }
}

export const random: StrategyContribution<RandomOptions> = {
  meta: {
    docs: {
      description: 'Random re-balancing: after warm-up each step is regular or re-balances one modality, uniformly (Wu et al. 2022).',
    },
    defaultOptions: defaultRandomOptions,
    schema,
  },
  create(options: RandomOptions, ctx: StrategyCreateContext): RandomStrategy {
    requireMultiModal('random', ctx.numModalities);
    return new RandomStrategy(options, ctx.numModalities, ctx.log);
  },
};
