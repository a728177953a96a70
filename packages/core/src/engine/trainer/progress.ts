import type { Logger } from '../../contract/log/logger.js';
import type { Clock } from '../util/clock.js';

/** What the fit loop reports as it goes. */
export interface ProgressReporter {
  /** Called after each training step (`stepInEpoch` counts from 0). */
  step(info: { epoch: number; epochs: number; stepInEpoch: number; stepsPerEpoch: number; loss: number }): void;
  /** Called when an epoch's training steps are done (before validation), to end a bar line. */
  epochTrained(): void;
}

/**
 * `bar`: one line on stderr redrawn in place (epoch, steps, steps/s, loss, ETA of the epoch and of the run); `lines`:
 * a plain log line about every 10 % of an epoch (for logs and pipes), numbers rounded; `none`: silent.
 *
 * Speeds and ETAs are measured, never guessed: the time of a step is the time between two consecutive `step` calls of
 * one epoch, so the first step of the run has no speed yet (shown as `–`, not a rate from a near-zero interval), and
 * a later epoch's first step uses the speed measured so far. The run's ETA adds, for each epoch still to come, the
 * training steps at that speed and the measured time between epochs (validation, test, checkpoints).
 */
export function createProgress(kind: 'bar' | 'lines' | 'none', log: Logger, clock: Clock, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (kind === 'none') return { step: () => undefined, epochTrained: () => undefined };
  /** Time of the previous `step` call in this epoch; undefined before the epoch's first step. */
  let lastStep: number | undefined;
  let timedSteps = 0;
  let timedSeconds = 0;
  /** When the last epoch's training ended, and the measured time between epochs (validation etc.). */
  let trainedAt: number | undefined;
  let gaps = 0;
  let gapSeconds = 0;
  let drawnWidth = 0;
  return {
    step({ epoch, epochs, stepInEpoch, stepsPerEpoch, loss }) {
      const now = clock.now();
      if (lastStep !== undefined && stepInEpoch > 0) {
        timedSteps++;
        timedSeconds += (now - lastStep) / 1000;
      } else if (trainedAt !== undefined) {
        // From the end of the previous epoch's training to this epoch's first step: the time between epochs plus
        // one step, which is subtracted at the speed measured so far.
        const stepSeconds = timedSteps > 0 ? timedSeconds / timedSteps : 0;
        gapSeconds += Math.max(0, (now - trainedAt) / 1000 - stepSeconds);
        gaps++;
        trainedAt = undefined;
      }
      lastStep = now;
      const done = stepInEpoch + 1;
      const rate = timedSeconds > 0 ? timedSteps / timedSeconds : undefined;
      const epochEta = rate === undefined ? undefined : (stepsPerEpoch - done) / rate;
      const gap = gaps > 0 ? gapSeconds / gaps : 0;
      // This epoch's remaining steps and its validation, then every later epoch in full.
      const runEta = epochEta === undefined ? undefined : epochEta + gap + (epochs - epoch) * (stepsPerEpoch / rate! + gap);
      if (kind === 'bar') {
        const width = 24;
        const filled = Math.round((width * done) / stepsPerEpoch);
        const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
        const line =
          `epoch ${epoch}/${epochs} [${bar}] ${done}/${stepsPerEpoch} ${rate === undefined ? '–' : formatRate(rate)} steps/s ` +
          `loss ${formatLoss(loss)} ETA epoch ${formatSeconds(epochEta)}, run ${formatSeconds(runEta)}`;
        // Spaces over whatever a longer previous line left behind (\r only moves the cursor back).
        stream.write(`\r${line.padEnd(drawnWidth)}`);
        drawnWidth = line.length;
      } else if (done === stepsPerEpoch || done % Math.max(1, Math.round(stepsPerEpoch / 10)) === 0) {
        log.info(
          {
            epoch,
            step: done,
            stepsPerEpoch,
            stepsPerSecond: rate === undefined ? null : roundTo(rate, 2),
            loss: roundSignificant(loss, 4),
            etaSeconds: epochEta === undefined ? null : Math.round(epochEta),
            runEtaSeconds: runEta === undefined ? null : Math.round(runEta),
          },
          'training progress',
        );
      }
    },
    epochTrained() {
      if (drawnWidth > 0) stream.write('\n');
      drawnWidth = 0;
      lastStep = undefined;
      trainedAt = clock.now();
    },
  };
}

/** `12.3`, `0.85`, `1234`: three significant digits at most, for a rate that changes every step. */
function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toPrecision(3).replace(/\.?0+$/, '');
}

function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
}

/** `?` until a speed is measured; `42s`, `3m05s`, `1h02m`. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** `x` rounded to `digits` decimals (for log fields: the metrics files keep full precision). */
export function roundTo(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `x` with `digits` significant digits (losses span orders of magnitude), as a number. */
export function roundSignificant(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}
