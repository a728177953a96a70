import { REGULAR, UngreedyError, rebalanceUpdateMask } from '@ungreedy/core';
import type {
  BalancingStrategy,
  ForwardMode,
  GradientsByGroup,
  JsonObject,
  Logger,
  ParamGroupId,
  StepContext,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './random.schema.json' with { type: 'json' };

export interface RandomOptions {
  /** Epochs of plain joint training; random modes start at epoch `warmupEpochs + 1`. */
  readonly warmupEpochs: number;
  /** `all`: a re-balancing step updates every group (reference); `helped-branch`: only θ_k + θ'_k. */
  readonly rebalanceUpdates: 'all' | 'helped-branch';
  readonly evaluationMode: 'regular' | 'as-training';
}

/** The reference's values (spec §4.3): unlock at epoch 2, every parameter updated. */
export const defaultRandomOptions: RandomOptions = {
  warmupEpochs: 1,
  rebalanceUpdates: 'all',
  evaluationMode: 'regular',
};

/** Saved in checkpoints (STYLE.md H12). */
export interface RandomState extends JsonObject {
  unlocked: boolean;
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
export class RandomStrategy implements BalancingStrategy {
  readonly evaluationMode: RandomOptions['evaluationMode'];
  private state: RandomState = { unlocked: false, next: null };

  constructor(
    private readonly options: RandomOptions,
    private readonly numModalities: number,
    private readonly log: Logger,
  ) {
    this.evaluationMode = options.evaluationMode;
  }

  /** Called at the start of every training epoch: starts the draws after the warm-up epochs. */
  onEpochBegin(ctx: StrategyContext): void {
    if (!this.state.unlocked && ctx.epoch > this.options.warmupEpochs) {
      this.state.unlocked = true;
      this.log.info({ epoch: ctx.epoch }, 'random re-balancing unlocked');
    }
  }

  chooseForwardMode(): ForwardMode {
    return this.state.next === null ? REGULAR : { kind: 'rebalance', modality: this.state.next };
  }

  /** Draws the next step's mode (the reference's `on_backward_end`). */
  onAfterBackward(_grads: GradientsByGroup, ctx: StepContext): void {
    if (!this.state.unlocked) return;
    const mode = modeForDraw(ctx.rng.int(this.numModalities + 1), this.numModalities);
    this.state.next = mode.kind === 'rebalance' ? mode.modality : null;
  }

  /** With `helped-branch`, a re-balancing step for k updates only θ_k + θ'_k; regular steps update everything. */
  updateMask(ctx: StepContext): ReadonlySet<ParamGroupId> | undefined {
    return rebalanceUpdateMask(ctx.mode, this.options.rebalanceUpdates);
  }

  stateDict(): RandomState {
    return { ...this.state };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<RandomState>;
    const valid =
      typeof s.unlocked === 'boolean' &&
      (s.next === null || (Number.isInteger(s.next) && s.next! >= 0 && s.next! < this.numModalities));
    if (!valid) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `random state must be { unlocked, next } for ${this.numModalities} modalities, but got ${JSON.stringify(state)}. Resume with the strategy the checkpoint was written by.`,
        { strategy: 'random', state },
      );
    }
    this.state = { unlocked: s.unlocked!, next: s.next! };
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
    if (ctx.numModalities < 2) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `strategy "random" needs a model with at least 2 modalities, but got ${ctx.numModalities}. Use "vanilla" for a uni-modal baseline.`,
        { strategy: 'random', numModalities: ctx.numModalities },
      );
    }
    return new RandomStrategy(options, ctx.numModalities, ctx.log);
  },
};
