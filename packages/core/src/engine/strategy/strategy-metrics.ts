import type { Logger } from '../../contract/log/logger.js';
import type { StrategyMetrics } from '../../contract/strategy/balancing-strategy.js';

/**
 * Whether `ctx.metrics.record(name, value)` records anything (docs/hooks.md "Strategy metrics"): a non-finite
 * number (a ratio over a zero, a score of an empty batch) is not a measurement and is left out, so every strategy
 * need not filter its own; a value that is not a number, or an empty name, is a bug in the strategy and throws.
 */
export function metricToRecord(name: string, value: number): boolean {
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`ctx.metrics.record needs a non-empty metric name, but got ${JSON.stringify(name)}`);
  }
  if (typeof value !== 'number') throw new Error(`ctx.metrics.record("${name}") needs a number, but got ${String(value)}`);
  return Number.isFinite(value);
}

/**
 * Collects a strategy's `ctx.metrics.record` calls for the record being built (a step's or an epoch's) and
 * namespaces them `<prefix>/<name>` (prefix: the strategy's `<namespace>/<id>`), docs/hooks.md "Strategy metrics".
 * A non-finite number is left out (see {@link metricToRecord}), with one warning per metric name in the run's log,
 * so a metric that is never finite does not vanish unnoticed; a value that is not a number, or an empty name,
 * throws (inside a hook, so the runner reports UNG_ERR_HOOK_FAILED).
 */
export class StrategyMetricsCollector implements StrategyMetrics {
  private pending = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly prefix: string,
    private readonly log?: Logger,
  ) {}

  record(name: string, value: number): void {
    const key = `${this.prefix}/${name}`;
    if (metricToRecord(name, value)) this.pending.set(key, value);
    else if (!this.warned.has(key)) {
      this.warned.add(key);
      this.log?.warn({ metric: key, value: String(value) }, 'strategy metric not recorded: its value is not finite (warned once per metric)');
    }
  }

  /** The metrics recorded since the last call, sorted by name, or undefined when none; clears them. */
  take(): Record<string, number> | undefined {
    if (this.pending.size === 0) return undefined;
    const out = Object.fromEntries([...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.pending = new Map();
    return out;
  }
}
