import type { MetricRecord, RunManifest, RunSummary } from './metric-records.js';
import type { JsonValue } from '../../contract/util/json.js';

/**
 * One run folder: `config.resolved.json`, `manifest.json`, `metrics.jsonl`, `log.jsonl`, `summary.json`,
 * `checkpoints/`. Every file but the append-only streams is written atomically (temp file + rename).
 */
export interface RunStore {
  readonly dir: string;
  /** Appends one record to metrics.jsonl. */
  appendMetric(record: MetricRecord): void;
  readMetrics(): MetricRecord[];
  /** Size of metrics.jsonl in bytes: checkpoints store it, so a resume can drop records written after them. */
  metricsLength(): number;
  /** Cuts metrics.jsonl back to `length` bytes (records a crashed run wrote after its last checkpoint). */
  truncateMetrics(length: number): void;
  writeManifest(manifest: RunManifest): void;
  readManifest(): RunManifest;
  writeSummary(summary: RunSummary): void;
  /** Writes any JSON file inside the run folder atomically. */
  writeJson(relativePath: string, value: JsonValue | object): void;
  /** Folder for a named checkpoint (`last`, `best`), created on demand. */
  checkpointDir(name: string): string;
}
