import { UngreedyError } from '../../contract/errors/errors.js';

/** The exit code of a run stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignalName = keyof typeof SIGNAL_EXIT_CODES;

export interface StopSignals {
  /** Aborted (reason: UNG_ERR_RUN_INTERRUPTED) by the first SIGINT or SIGTERM, or when the parent process is gone. */
  readonly signal: AbortSignal;
  /** The signal that stopped the run, or null while none came. */
  readonly received: StopSignalName | null;
  /** 130 after SIGINT, 143 after SIGTERM (and when the parent process went away). */
  exitCode(): number;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Installs SIGINT and SIGTERM handlers for one command: the first signal aborts `signal` (the run then stops
 * at the next training step or evaluation batch after writing its checkpoint); a second one exits at once.
 * A process started by `compare` with an IPC channel also stops, as after SIGTERM, when that channel closes
 * (its parent died), so cells never outlive the compare that started them (docs/compare.md).
 */
export function onStopSignals(notify: (signal: StopSignalName) => void): StopSignals {
  const controller = new AbortController();
  let received: StopSignalName | null = null;
  const stop = (name: StopSignalName): void => {
    if (received !== null) process.exit(SIGNAL_EXIT_CODES[received]);
    received = name;
    notify(name);
    controller.abort(new UngreedyError('UNG_ERR_RUN_INTERRUPTED', `the run was stopped by ${name}.`, { signal: name }));
  };
  const onInt = (): void => stop('SIGINT');
  const onTerm = (): void => stop('SIGTERM');
  const onDisconnect = (): void => {
    if (received === null) stop('SIGTERM');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('disconnect', onDisconnect);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    exitCode: () => SIGNAL_EXIT_CODES[received ?? 'SIGINT'],
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('disconnect', onDisconnect);
    },
  };
}
