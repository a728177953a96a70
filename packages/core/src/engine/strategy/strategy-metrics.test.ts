import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Logger } from '../../contract/log/logger.js';
import { StrategyMetricsCollector } from './strategy-metrics.js';

/** A pino logger whose records land in `lines` (parsed), so a test can read what was warned. */
function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) });
  return { log, lines };
}

test('finite values are recorded under the strategy prefix, sorted; a non-finite one is left out and warned once per metric', () => {
  const { log, lines } = recordingLogger();
  const metrics = new StrategyMetricsCollector('ungreedy/ogm-ge', log);
  metrics.record('rho', 1.5);
  metrics.record('k', Number.NaN);
  metrics.record('k', Number.POSITIVE_INFINITY);
  metrics.record('alpha', 0.1);
  assert.deepEqual(metrics.take(), { 'ungreedy/ogm-ge/alpha': 0.1, 'ungreedy/ogm-ge/rho': 1.5 });
  assert.equal(metrics.take(), undefined);
  metrics.record('k', Number.NaN);
  const warnings = lines.filter((l) => l['level'] === 40);
  assert.equal(warnings.length, 1, JSON.stringify(lines));
  assert.equal(warnings[0]!['metric'], 'ungreedy/ogm-ge/k');
  assert.equal(warnings[0]!['value'], 'NaN');
});

test('a value that is not a number, or an empty name, is a bug in the strategy and throws', () => {
  const metrics = new StrategyMetricsCollector('x/y');
  assert.throws(() => metrics.record('a', '1' as unknown as number), /needs a number/);
  assert.throws(() => metrics.record('', 1), /non-empty metric name/);
});
