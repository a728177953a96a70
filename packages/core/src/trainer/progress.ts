import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';

/** What the fit loop reports as it goes. */
export interface ProgressReporter {
  step(info: { epoch: number; epochs: number; stepInEpoch: number; stepsPerEpoch: number; loss: number }): void;
  /** Called when an epoch's training steps are done (before validation), to end a bar line. */
  epochTrained(): void;
}

/**
 * `bar`: one line on stderr redrawn in place (epoch, steps, steps/s, loss, ETA of the epoch); `lines`: a plain log
 * line about every 10 % of an epoch (for logs and pipes); `none`: silent.
 */
export function createProgress(kind: 'bar' | 'lines' | 'none', log: Logger, clock: Clock, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (kind === 'none') return { step: () => undefined, epochTrained: () => undefined };
  let epochStart = clock.now();
  let stepsSeen = 0;
  let drawn = false;
  return {
    step({ epoch, epochs, stepInEpoch, stepsPerEpoch, loss }) {
      if (stepInEpoch === 0 || stepsSeen === 0) {
        epochStart = clock.now();
        stepsSeen = 0;
      }
      stepsSeen++;
      const done = stepInEpoch + 1;
      const seconds = Math.max(1e-9, (clock.now() - epochStart) / 1000);
      const rate = stepsSeen / seconds;
      const eta = (stepsPerEpoch - done) / rate;
      if (kind === 'bar') {
        const width = 24;
        const filled = Math.round((width * done) / stepsPerEpoch);
        const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
        stream.write(
          `\repoch ${epoch}/${epochs} [${bar}] ${done}/${stepsPerEpoch} ${rate.toFixed(1)} steps/s loss ${loss.toFixed(4)} ETA ${formatSeconds(eta)}  `,
        );
        drawn = true;
      } else if (done === stepsPerEpoch || done % Math.max(1, Math.round(stepsPerEpoch / 10)) === 0) {
        log.info({ epoch, step: done, stepsPerEpoch, stepsPerSecond: rate, loss, etaSeconds: eta }, 'training progress');
      }
    },
    epochTrained() {
      if (drawn) stream.write('\n');
      drawn = false;
      stepsSeen = 0;
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
