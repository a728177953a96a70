import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseJsonText } from '../../engine/config/parse-data-text.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { METRIC_RECORD_SCHEMA, RUN_MANIFEST_SCHEMA, RUN_SUMMARY_SCHEMA, recordProblem } from './run-record-schemas.js';
import type { JsonSchema } from '../../contract/util/json.js';
import { RUN_FILES } from '../../engine/run/file-run-store.js';
import type { EpochRecord, MetricRecord, RunManifest, RunSummary, StepRecord } from '../../engine/run/metric-records.js';
import type { CellKind } from './compare-config.js';

/** What a report knows about one run folder: only `summary.json`, `manifest.json` and `metrics.jsonl`. */
export interface RunRecords {
  readonly dir: string;
  readonly dataset: string;
  readonly label: string;
  readonly seed: number;
  readonly kind: CellKind;
  readonly summary: RunSummary | null;
  readonly manifest: RunManifest | null;
  /** One record per epoch (the last written wins, so a resumed run's repeated epochs count once). */
  readonly epochs: readonly EpochRecord[];
  /** One record per step, by step number. */
  readonly steps: readonly StepRecord[];
  /** Why the run failed (summary.json, else manifest.json); null unless it failed. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Not completed, not failed, not corrupt: not started yet, running, or interrupted (the next compare finishes it). */
  readonly pending: boolean;
  /**
   * Records that break their schema (docs/errors.md UNG_ERR_RUN_FILE_CORRUPT): a torn or malformed
   * summary.json / manifest.json, or a bad metrics.jsonl line other than a torn last one. A run with any
   * is corrupt: its `error` has that code, and it is neither pending nor counted in a mean.
   */
  readonly corrupt: readonly RunFileProblem[];
  /** Problems tolerated with a warning: a torn last line of metrics.jsonl (a crash in the middle of an append). */
  readonly warnings: readonly RunFileProblem[];
}

/** One bad record: the file, the 1-based line for metrics.jsonl, and what is wrong. */
export interface RunFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

/** The index `compare` writes at `<outDir>/compare.json`, so `report` knows labels, kinds and order. */
export interface MatrixIndex {
  readonly name: string;
  readonly datasets: readonly string[];
  /** Row labels in config order (uni-modal baselines first). */
  readonly labels: readonly string[];
  readonly cells: readonly { readonly id: string; readonly dataset: string; readonly label: string; readonly seed: number; readonly kind: CellKind }[];
  /** Cells that failed in the last invocation, with their error. */
  readonly failures: readonly { readonly id: string; readonly code: string; readonly message: string }[];
}

export const MATRIX_INDEX = 'compare.json';

/**
 * Reads one run folder, checking each record against its schema (run-record-schemas.ts). A missing file
 * reads as absent; a torn or malformed one makes the run corrupt (listed in `corrupt` with file and line).
 */
export function readRunFolder(dir: string, where: { dataset: string; label: string; seed: number; kind?: CellKind }): RunRecords {
  const corrupt: RunFileProblem[] = [];
  const warnings: RunFileProblem[] = [];
  const summary = readRecord<RunSummary>(join(dir, RUN_FILES.summary), RUN_SUMMARY_SCHEMA, corrupt);
  const manifest = readRecord<RunManifest>(join(dir, RUN_FILES.manifest), RUN_MANIFEST_SCHEMA, corrupt);
  const epochs = new Map<number, EpochRecord>();
  const steps = new Map<number, StepRecord>();
  for (const r of readMetrics(join(dir, RUN_FILES.metrics), corrupt, warnings)) {
    if (r.type === 'epoch') epochs.set(r.epoch, r);
    else if (r.type === 'step') steps.set(r.step, r);
  }
  const kind = where.kind ?? inferKind(dir, summary);
  // Not completed: corrupt, failed (an error), or pending (not started, running, interrupted: compare will finish it).
  const pending = corrupt.length === 0 && summary?.status !== 'completed' && summary?.status !== 'failed' && manifest?.status !== 'failed';
  const error = corrupt.length > 0
    ? { code: 'UNG_ERR_RUN_FILE_CORRUPT', message: corrupt.map(problemText).join('; ') }
    : summary?.status === 'completed' || pending
      ? null
      : summary?.error ?? manifest?.error ?? { code: 'UNG_ERR_RUN_FAILED', message: 'the run failed' };
  return {
    dir,
    dataset: where.dataset,
    label: where.label,
    seed: where.seed,
    kind,
    // A corrupt run's summary is not trusted: a table must not average a half-valid record.
    summary: corrupt.length > 0 ? null : summary,
    manifest,
    epochs: [...epochs.values()].sort((a, b) => a.epoch - b.epoch),
    steps: [...steps.values()].sort((a, b) => a.step - b.step),
    error,
    pending,
    corrupt,
    warnings,
  };
}

/** `file:line: message`, the form report prints. */
export function problemText(p: RunFileProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`;
}

function inferKind(dir: string, summary: RunSummary | null): CellKind {
  const config = readJson<{ model?: { modalities?: number[] | null }; strategy?: { use?: string } }>(join(dir, RUN_FILES.config));
  const modalities = summary?.modalities ?? config?.model?.modalities ?? null;
  if (modalities !== null && modalities.length === 1) return { type: 'unimodal', modality: modalities[0]! };
  return { type: 'strategy', use: summary?.strategy ?? config?.strategy?.use ?? 'unknown' };
}

/**
 * Every run folder of a matrix: from its `compare.json` when present (labels, kinds and order as configured),
 * else by walking `<dir>/<dataset>/<label>/seed<k>` (folders named `seed<k>.failed-<n>` are kept-aside
 * attempts and are skipped).
 */
export function readMatrix(outDir: string): { index: MatrixIndex; runs: RunRecords[] } {
  const stored = readJson<MatrixIndex>(join(outDir, MATRIX_INDEX));
  if (stored !== null) {
    const runs = stored.cells.map((c) => readRunFolder(join(outDir, c.dataset, c.label, `seed${c.seed}`), c));
    return { index: stored, runs };
  }
  const runs: RunRecords[] = [];
  const datasets: string[] = [];
  const labels: string[] = [];
  for (const dataset of subfolders(outDir)) {
    for (const label of subfolders(join(outDir, dataset))) {
      for (const seedDir of subfolders(join(outDir, dataset, label))) {
        const m = /^seed(\d+)$/.exec(seedDir);
        const dir = join(outDir, dataset, label, seedDir);
        if (!m || !existsSync(join(dir, RUN_FILES.manifest))) continue;
        if (!datasets.includes(dataset)) datasets.push(dataset);
        if (!labels.includes(label)) labels.push(label);
        runs.push(readRunFolder(dir, { dataset, label, seed: Number(m[1]) }));
      }
    }
  }
  if (runs.length === 0) return { index: { name: relative(process.cwd(), outDir) || outDir, datasets, labels, cells: [], failures: [] }, runs };
  const cells = runs.map((r) => ({ id: `${r.dataset}/${r.label}/seed${r.seed}`, dataset: r.dataset, label: r.label, seed: r.seed, kind: r.kind }));
  return { index: { name: outDir.split(/[\\/]/).filter(Boolean).pop() ?? 'compare', datasets, labels, cells, failures: [] }, runs };
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory()).sort();
}

/**
 * The records of metrics.jsonl, each checked against METRIC_RECORD_SCHEMA. A bad line is a problem with its
 * line number, except a torn last line without its newline (a crash in the middle of an append), which is
 * only a warning: the run's next append or resume truncates it (docs/errors.md UNG_ERR_RUN_FILE_CORRUPT).
 */
function readMetrics(file: string, corrupt: RunFileProblem[], warnings: RunFileProblem[]): MetricRecord[] {
  const text = readText(file, corrupt);
  if (text === null) return [];
  const lines = text.split('\n');
  const out: MetricRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const tornTail = i === lines.length - 1; // no newline after it: the append was cut
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch {
      (tornTail ? warnings : corrupt).push({ file, line: i + 1, message: tornTail ? 'torn last line (ignored)' : 'is not JSON' });
      return;
    }
    const problem = recordProblem(METRIC_RECORD_SCHEMA, value);
    if (problem !== undefined) corrupt.push({ file, line: i + 1, message: problem });
    else out.push(value as MetricRecord);
  });
  return out;
}

function readText(file: string, corrupt: RunFileProblem[]): string | null {
  if (!existsSync(file)) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    corrupt.push({ file, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    return null;
  }
}

/** A JSON record checked against `schema`; null when absent, or (with a problem listed) when malformed. */
function readRecord<T>(file: string, schema: JsonSchema, corrupt: RunFileProblem[]): T | null {
  const text = readText(file, corrupt);
  if (text === null) return null;
  let value: unknown;
  try {
    value = parseJsonText(text, file, { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run file' });
  } catch (err) {
    const line = isUngreedyError(err) && typeof err.data['line'] === 'number' ? err.data['line'] : undefined;
    corrupt.push({ file, ...(line === undefined ? {} : { line }), message: text.trim() === '' ? 'is empty' : 'is not valid JSON' });
    return null;
  }
  const problem = recordProblem(schema, value);
  if (problem !== undefined) {
    corrupt.push({ file, message: problem });
    return null;
  }
  return value as T;
}

/** Best-effort read of a file `report` only peeks at (compare.json, config.resolved.json): absent or torn reads as null. */
function readJson<T>(file: string): T | null {
  try {
    return parseJsonText(readFileSync(file, 'utf8'), file, { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run file' }) as T;
  } catch {
    return null;
  }
}
