import { UngreedyError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { rebalanceUpdateMask, type ParamGroupId } from '../model/param-group.js';
import type { JsonObject } from '../util/json.js';
import type { BalancingStrategy, StepContext, StrategyContext } from './balancing-strategy.js';

/** The options every re-balancing strategy with a warm-up shares (`guided`, `random`). */
export interface RebalancingOptions {
  /** Epochs of plain joint training; re-balancing starts at epoch `warmupEpochs + 1`. */
  readonly warmupEpochs: number;
  /** `all`: a re-balancing step updates every group (reference); `helped-branch`: only θ_k + θ'_k. */
  readonly rebalanceUpdates: 'all' | 'helped-branch';
  readonly evaluationMode: 'regular' | 'as-training';
}

/** The part of a re-balancing strategy's checkpointed state that the base class manages. */
export interface RebalancingState extends JsonObject {
  unlocked: boolean;
}

/**
 * Base class of the paper's re-balancing strategies (docs/method.md#guided, #random): it holds the options and the state, unlocks
 * after `warmupEpochs` (`onEpochBegin`), masks updates per `rebalanceUpdates` (`updateMask`) and saves and restores
 * the state (`stateDict` / `loadStateDict`, STYLE.md H12). A subclass decides the modes (`chooseForwardMode`,
 * `onAfterBackward`) and says which saved states it accepts ({@link parseState}).
 *
 * @example
 * class EveryOther extends RebalancingStrategy<RebalancingOptions, RebalancingState & { next: number | null }> {
 *   constructor(options: RebalancingOptions, numModalities: number, log: Logger) {
 *     super({ id: 'every-other', stateShape: '{ unlocked, next }', initialState: { unlocked: false, next: null } }, options, numModalities, log);
 *   }
 *   // chooseForwardMode, onAfterBackward …
 *   protected parseState(s: JsonObject) {
 *     return typeof s['unlocked'] === 'boolean' && (s['next'] === null || this.isModality(s['next']))
 *       ? { unlocked: s['unlocked'], next: s['next'] }
 *       : undefined;
 *   }
 * }
 */
export abstract class RebalancingStrategy<O extends RebalancingOptions, S extends RebalancingState> implements BalancingStrategy {
  readonly evaluationMode: O['evaluationMode'];
  /** The strategy's id, as in configs and in its errors' `data.strategy`. */
  protected readonly id: string;
  /** How the state looks, for the message of a rejected checkpoint (e.g. `{ unlocked, next }`). */
  private readonly stateShape: string;
  protected state: S;

  protected constructor(
    spec: { readonly id: string; readonly stateShape: string; readonly initialState: S },
    protected readonly options: O,
    protected readonly numModalities: number,
    protected readonly log: Logger,
  ) {
    this.id = spec.id;
    this.stateShape = spec.stateShape;
    this.state = { ...spec.initialState };
    this.evaluationMode = options.evaluationMode;
  }

  /** Called at the start of every training epoch: unlocks re-balancing after the warm-up epochs. */
  onEpochBegin(ctx: StrategyContext): void {
    if (!this.state.unlocked && ctx.epoch > this.options.warmupEpochs) {
      this.state.unlocked = true;
      // The id is a constant per subclass, so each strategy keeps one fixed, greppable message.
      this.log.info({ epoch: ctx.epoch }, `${this.id} re-balancing unlocked`);
    }
  }

  /** With `helped-branch`, a re-balancing step for k updates only θ_k + θ'_k; regular steps update everything. */
  updateMask(ctx: StepContext): ReadonlySet<ParamGroupId> | undefined {
    return rebalanceUpdateMask(ctx.mode, this.options.rebalanceUpdates);
  }

  stateDict(): S {
    return { ...this.state };
  }

  /** Restores a saved state; one {@link parseState} rejects is `UNG_ERR_CHECKPOINT_MISMATCH` with `data: { strategy, state }`. */
  loadStateDict(state: JsonObject): void {
    const parsed = this.parseState(state);
    if (parsed === undefined) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `${this.id} state must be ${this.stateShape} for ${this.numModalities} modalities, but got ${JSON.stringify(state)}. Resume with the strategy the checkpoint was written by.`,
        { strategy: this.id, state },
      );
    }
    this.state = parsed;
  }

  /** The state to restore from a saved one, or undefined when it is not a state of this strategy. */
  protected abstract parseState(state: JsonObject): S | undefined;

  /** Whether `value` is a modality index of this model (0 ≤ k < numModalities). */
  protected isModality(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) < this.numModalities;
  }
}

/**
 * Throws `UNG_ERR_MODEL_MISMATCH` with `data: { strategy, numModalities }` when a strategy that balances modalities
 * is given a model with fewer than two; call it first in `create`.
 */
export function requireMultiModal(strategy: string, numModalities: number): void {
  if (numModalities < 2) {
    throw new UngreedyError(
      'UNG_ERR_MODEL_MISMATCH',
      `strategy "${strategy}" needs a model with at least 2 modalities, but got ${numModalities}. Use "vanilla" for a uni-modal baseline.`,
      { strategy, numModalities },
    );
  }
}
