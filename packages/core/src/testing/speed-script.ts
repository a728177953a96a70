import { Rng } from '../contract/rng/rng.js';
import type { RngState } from '../contract/rng/rng.js';
import type { ForwardMode } from '../contract/model/fusion-block.js';
import type { LearningSpeed } from '../contract/strategy/balancing-strategy.js';
import type { JsonObject } from '../contract/util/json.js';
import { learningSpeed } from './strategy-context.js';

/**
 * A stand-in for core's learning-speed probe in conformance runs: per-step μ drawn from a seeded stream
 * (log-normal, with a slow per-modality drift so d_speed crosses small thresholds both ways), accumulated
 * like the real probe: on regular steps only, never reset (docs/method.md#learning-speed).
 */
export class SpeedScript {
  private readonly main: number[];
  private readonly bypass: number[];
  private rng: Rng;
  private t = 0;

  constructor(
    readonly numModalities: number,
    seed: number,
  ) {
    this.main = Array.from({ length: numModalities }, () => 0);
    this.bypass = Array.from({ length: numModalities }, () => 0);
    this.rng = Rng.fromSeed(seed, 'speed-script');
  }

  /** The probe's view after a step that ran in `mode`. */
  next(mode: ForwardMode): LearningSpeed {
    const n = this.numModalities;
    const stepMain: number[] = [];
    const stepBypass: number[] = [];
    for (let k = 0; k < n; k++) {
      const drift = 0.6 * Math.sin(this.t / 6 + (2 * Math.PI * k) / n);
      stepMain.push(Math.exp(0.3 * this.rng.normal()));
      stepBypass.push(Math.exp(0.3 * this.rng.normal() + drift));
    }
    this.t++;
    const counted = mode.kind === 'regular';
    if (counted) {
      for (let k = 0; k < n; k++) {
        this.main[k]! += stepMain[k]!;
        this.bypass[k]! += stepBypass[k]!;
      }
    }
    return learningSpeed({ main: this.main, bypass: this.bypass }, { counted, step: { main: stepMain, bypass: stepBypass } });
  }

  stateDict(): JsonObject {
    return { main: [...this.main], bypass: [...this.bypass], t: this.t, rng: this.rng.state() };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as { main: number[]; bypass: number[]; t: number; rng: RngState };
    this.main.splice(0, this.main.length, ...s.main);
    this.bypass.splice(0, this.bypass.length, ...s.bypass);
    this.t = s.t;
    this.rng = Rng.fromState(s.rng);
  }
}
