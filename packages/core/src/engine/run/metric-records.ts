import type { ForwardMode } from '../../contract/model/fusion-block.js';

/**
 * The lines of a run's `metrics.jsonl`, one JSON object per line, each with `type`. Reports and `compare` read
 * only these records and `summary.json`, so their shape is a public contract: add fields, never rename.
 */
export type MetricRecord = EpochRecord | StepRecord | UtilizationRecord;

/** Accuracies in percent (0-100), batch-size weighted over the split (docs/method.md#accuracy). */
export interface SplitMetrics {
  readonly loss: number;
  readonly acc: number;
  /** Accuracy of each modality's head. */
  readonly accHeads: readonly number[];
  readonly samples: number;
}

export interface EpochRecord {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly lr: number;
  readonly train: SplitMetrics;
  readonly val: SplitMetrics | null;
  readonly test: SplitMetrics | null;
  /** Mode the val/test passes ran in (regular unless a strategy declares `as-training`). */
  readonly evalMode: ForwardMode;
  /** Training steps of this epoch by mode: `regular`, `rebalance/0`, `rebalance/1`, … */
  readonly stepsByMode: Readonly<Record<string, number>>;
  readonly seconds: number;
  /**
   * Strategy metrics recorded by onEpochBegin, onEpochEnd and onValidationEnd (`ctx.metrics.record`), named
   * `<namespace>/<id>/<name>`, sorted by name; absent when none.
   */
  readonly strategy?: Readonly<Record<string, number>>;
}

export interface StepRecord {
  readonly type: 'step';
  readonly step: number;
  readonly epoch: number;
  readonly mode: ForwardMode;
  readonly loss: number;
  /** Conditional learning speed s_k per modality after this step (NaN serialised as null). */
  readonly s: readonly (number | null)[];
  readonly dSpeed: number | null;
  /** μ of this step per modality: main (θ_k) and bypass (θ'_k). */
  readonly mu: { readonly main: readonly number[]; readonly bypass: readonly number[] };
  /** Strategy metrics recorded during this step (`ctx.metrics.record`), named `<namespace>/<id>/<name>`; absent when none. */
  readonly strategy?: Readonly<Record<string, number>>;
}

export interface UtilizationRecord {
  readonly type: 'utilization';
  readonly checkpoint: 'best' | 'last';
  readonly epoch: number;
  readonly denominator: 'branch' | 'fused';
  /** Intact model on test: fused accuracy A(f) and per-head A(f_k). */
  readonly acc: number;
  readonly accHeads: readonly number[];
  /** Ablated branches A(f'_k): each head with the other modalities' squeezes replaced by train-split means. */
  readonly accHeadsAblated: readonly number[];
  /** u_k = u(others | m_k) = (A(f_k) − A(f'_k)) / denominator; may be negative. */
  readonly u: readonly number[];
  /** u_0 − u_1 for two modalities; for N > 2, max(u) − min(u). */
  readonly dUtil: number;
}

/** `summary.json`: written when a run ends (completed or failed), read by `compare` and reports. */
export interface RunSummary {
  readonly status: 'completed' | 'failed';
  readonly name: string;
  readonly seed: number;
  readonly strategy: string;
  readonly dataset: string;
  /** Dataset modality indices the model used (one = a uni-modal baseline). */
  readonly modalities: readonly number[];
  readonly modalityNames: readonly string[];
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly stoppedBecause: 'max-epochs' | 'completed-stopping' | 'diverged' | 'error';
  /** Test metrics of the evaluated checkpoint (`metrics.evaluateCheckpoint`). */
  readonly test: { readonly acc: number; readonly accHeads: readonly number[] } | null;
  readonly utilization: UtilizationRecord | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly seconds: number;
}

/** `manifest.json` of a run folder. */
export interface RunManifest {
  readonly runId: string;
  readonly status: 'running' | 'completed' | 'failed' | 'interrupted';
  readonly core: string;
  readonly plugins: readonly { readonly name: string; readonly version: string; readonly source: string }[];
  readonly backend: { readonly name: string; readonly reason: string };
  readonly node: string;
  readonly gitCommit: string | null;
  readonly seed: number;
  readonly host: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly resumedAt: readonly string[];
  readonly dataset: Readonly<Record<string, unknown>>;
  /** The config file the run was started from and its folder (plugin paths and `output.dir` are relative to it). */
  readonly config?: { readonly file: string; readonly dir: string };
  /** Why a run ended other than completed: the error code and message. */
  readonly error?: { readonly code: string; readonly message: string } | null;
}
