import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RUN_FILES } from '../run/file-run-store.js';
import type { EpochRecord, MetricRecord, RunManifest, RunSummary, StepRecord } from '../run/metric-records.js';
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
  /** Not completed and not failed: not started yet, running, or interrupted (the next compare finishes it). */
  readonly pending: boolean;
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

/** Reads one run folder; a missing or torn file reads as absent. */
export function readRunFolder(dir: string, where: { dataset: string; label: string; seed: number; kind?: CellKind }): RunRecords {
  const summary = readJson<RunSummary>(join(dir, RUN_FILES.summary));
  const manifest = readJson<RunManifest>(join(dir, RUN_FILES.manifest));
  const epochs = new Map<number, EpochRecord>();
  const steps = new Map<number, StepRecord>();
  for (const r of readMetrics(join(dir, RUN_FILES.metrics))) {
    if (r.type === 'epoch') epochs.set(r.epoch, r);
    else if (r.type === 'step') steps.set(r.step, r);
  }
  const kind = where.kind ?? inferKind(dir, summary);
  // Not completed: failed (an error), or pending (not started, running, interrupted: compare will finish it).
  const pending = summary?.status !== 'completed' && summary?.status !== 'failed' && manifest?.status !== 'failed';
  const error = summary?.status === 'completed' || pending
    ? null
    : summary?.error ?? manifest?.error ?? { code: 'UNG_ERR_RUN_FAILED', message: 'the run failed' };
  return {
    dir,
    dataset: where.dataset,
    label: where.label,
    seed: where.seed,
    kind,
    summary,
    manifest,
    epochs: [...epochs.values()].sort((a, b) => a.epoch - b.epoch),
    steps: [...steps.values()].sort((a, b) => a.step - b.step),
    error,
    pending,
  };
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

function readMetrics(file: string): MetricRecord[] {
  if (!existsSync(file)) return [];
  const out: MetricRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricRecord);
    } catch {
      // A crash can cut the last line of the append-only stream; the rest is still good.
    }
  }
  return out;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
