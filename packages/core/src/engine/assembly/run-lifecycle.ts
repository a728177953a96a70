import type { Logger } from '../../contract/log/logger.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { hasCheckpoint } from '../run/checkpoint-files.js';
import { acquireRunLock, type RunLock } from '../run/run-lock.js';
import { sweepRunTemps } from '../run/sweep-run-temps.js';
import { refuseChangedConfig } from '../trainer/config-fingerprint.js';

/** What a writer of an existing run folder reads under its lock: the config the run is rebuilt from, and its checkpoint. */
export interface OpenedRun {
  readonly config: ExperimentConfig;
  /** The checkpoint folder the writer continues or evaluates (its fingerprint is checked against `config`). */
  readonly checkpoint: string;
}

/**
 * Opens an existing run folder for one writer, as `run --resume` and `evaluate` both do: takes the folder's lock
 * (UNG_ERR_RUN_LOCKED while another process writes it), then, under it, reads the run (`read`), refuses a config that
 * differs from the one its checkpoint was written with (UNG_ERR_CHECKPOINT_MISMATCH, naming the fields), and removes
 * the temps of an earlier, killed writer. The caller releases the lock when it is done; on any failure here it is
 * released before the error propagates. A new run takes its lock with its folder (`createLockedRunFolder`). Stop
 * signals are the command's (run/stop-signals.ts): it passes their `AbortSignal` on to the trainer or the evaluation
 * passes, which stop within one step or one batch.
 */
export function openRunFolder<T extends OpenedRun>(dir: string, log: Logger, read: () => T): { readonly lock: RunLock; readonly run: T } {
  const lock = acquireRunLock(dir);
  try {
    const run = read();
    if (hasCheckpoint(run.checkpoint)) refuseChangedConfig(run.checkpoint, run.config);
    const swept = sweepRunTemps(dir);
    if (swept.length > 0) log.info({ runDir: dir, swept }, 'removed temps of an earlier, killed writer');
    return { lock, run };
  } catch (err) {
    lock.release();
    throw err;
  }
}
