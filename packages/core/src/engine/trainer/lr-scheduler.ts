import type { SchedulerConfig } from '../config/experiment-config.js';
import type { JsonObject } from '../../contract/util/json.js';

/** Per-epoch metrics a scheduler may monitor. */
export interface EpochMonitor {
  readonly 'train/loss': number;
  readonly 'val/loss': number | null;
  readonly 'val/acc': number | null;
}

/** A learning-rate schedule stepped once per epoch, after validation; returns the learning rate for the next epoch. */
export interface LrScheduler {
  step(lr: number, monitor: EpochMonitor): number;
  stateDict(): JsonObject;
  loadStateDict(state: JsonObject): void;
}

export function createScheduler(config: SchedulerConfig, baseLr: number): LrScheduler {
  switch (config.type) {
    case 'none':
      return { step: (lr) => lr, stateDict: () => ({}), loadStateDict: () => undefined };
    case 'plateau':
      return new ReduceLrOnPlateau(config);
    case 'step':
      return new EpochFormulaScheduler((e) => baseLr * config.gamma ** Math.floor(e / config.stepSize));
    case 'cosine':
      return new EpochFormulaScheduler(
        (e) => config.minLr + ((baseLr - config.minLr) * (1 + Math.cos((Math.PI * e) / config.tMax))) / 2,
      );
  }
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau, exactly: `best` starts at ±∞; a value is better when it beats
 * best·(1 ∓ threshold) (`rel`) or best ∓ threshold (`abs`); during cooldown bad epochs are not counted; once bad
 * epochs exceed `patience`, lr ← max(lr·factor, minLr) unless that changes it by no more than `eps`.
 * Spec §7 uses it on the training loss with factor 0.3, patience 10, threshold 1e-3 (rel), min_lr 1e-6.
 */
export class ReduceLrOnPlateau implements LrScheduler {
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private lastEpoch = 0;

  constructor(private readonly config: Extract<SchedulerConfig, { type: 'plateau' }>) {
    this.best = config.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  step(lr: number, monitor: EpochMonitor): number {
    const value = monitor[this.config.monitor];
    return this.stepValue(lr, value ?? Number.NaN);
  }

  /** One scheduler step on the monitored value; returns the new learning rate. */
  stepValue(lr: number, current: number): number {
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.config.patience) {
      const next = Math.max(lr * this.config.factor, this.config.minLr);
      if (lr - next > this.config.eps) lr = next;
      this.cooldownCounter = this.config.cooldown;
      this.numBadEpochs = 0;
    }
    return lr;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.config;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (threshold + 1) : a > this.best + threshold;
  }

  stateDict(): JsonObject {
    // ±Infinity is not JSON: keep it as a string.
    return {
      best: Number.isFinite(this.best) ? this.best : String(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
    };
  }

  loadStateDict(state: JsonObject): void {
    this.best = Number(state['best']);
    this.numBadEpochs = state['numBadEpochs'] as number;
    this.cooldownCounter = state['cooldownCounter'] as number;
    this.lastEpoch = state['lastEpoch'] as number;
  }
}

/**
 * StepLR and CosineAnnealingLR in their closed forms (torch's `_get_closed_form_lr`), as a function of the number
 * of completed epochs; the recursive form torch uses by default agrees with it up to rounding.
 */
class EpochFormulaScheduler implements LrScheduler {
  private epoch = 0;
  constructor(private readonly lrAt: (epoch: number) => number) {}

  step(): number {
    this.epoch += 1;
    return this.lrAt(this.epoch);
  }

  stateDict(): JsonObject {
    return { epoch: this.epoch };
  }

  loadStateDict(state: JsonObject): void {
    this.epoch = state['epoch'] as number;
  }
}
