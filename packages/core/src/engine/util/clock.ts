/** Time source, injectable so tests can control durations and timestamps. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Wall-clock time as an ISO string. */
  isoNow(): string;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  isoNow: () => new Date().toISOString(),
};
