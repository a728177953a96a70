import type { SplitMetrics } from '../run/metric-records.js';
import type { SplitSummary } from '../../contract/strategy/balancing-strategy.js';
import type { JsonObject } from '../../contract/util/json.js';

/**
 * Accuracy of one batch in percent (docs/method.md#accuracy): 100 · mean(prediction == label).
 *
 * `legacyLength2Quirk` reproduces the reference code, which compares every prediction with `labels[0]` when the
 * label tensor has exactly two entries (a latent batch-size-2 bug); off by default.
 *
 * @example
 * batchAccuracy(Int32Array.of(1, 0, 2), Int32Array.of(1, 1, 2), false); // 66.666…
 */
export function batchAccuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>, legacyLength2Quirk: boolean): number {
  const n = labels.length;
  if (n === 0) return 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const y = legacyLength2Quirk && n === 2 ? labels[0] : labels[i];
    if (predictions[i] === y) correct++;
  }
  return (100 * correct) / n;
}

/** Index of the largest entry of each row of a row-major [rows, cols] array (first index on ties, like argmax). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = values[r * cols]!;
    for (let c = 1; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Batch-size weighted epoch metrics (docs/method.md#accuracy): each batch's loss and accuracies are multiplied by its size,
 * summed, and divided by the number of samples, exactly as the reference aggregates them. Sums are plain
 * doubles, so the state round-trips through JSON bit-exactly (mid-epoch resume).
 */
export class SplitAccumulator {
  private lossSum = 0;
  private accSum = 0;
  private headAccSums: number[];
  private samples = 0;
  /** Σ size·CE of the fused output and of each head, for {@link summary} (strategies' onValidationEnd). */
  private fusedLossSum = 0;
  private headLossSums: number[];

  constructor(readonly numHeads: number) {
    this.headAccSums = new Array<number>(numHeads).fill(0);
    this.headLossSums = new Array<number>(numHeads).fill(0);
  }

  /**
   * Adds one batch: its mean loss, fused predictions, per-head predictions and labels, and (optionally) the batch
   * mean cross-entropy of the fused output and of each head.
   */
  add(
    loss: number,
    fused: ArrayLike<number>,
    heads: readonly ArrayLike<number>[],
    labels: ArrayLike<number>,
    legacy: boolean,
    losses?: { readonly fused: number; readonly heads: readonly number[] },
  ): void {
    const size = labels.length;
    this.lossSum += loss * size;
    this.accSum += batchAccuracy(fused, labels, legacy) * size;
    for (let k = 0; k < this.numHeads; k++) this.headAccSums[k]! += batchAccuracy(heads[k]!, labels, legacy) * size;
    if (losses) {
      this.fusedLossSum += losses.fused * size;
      for (let k = 0; k < this.numHeads; k++) this.headLossSums[k]! += losses.heads[k]! * size;
    }
    this.samples += size;
  }

  /** Loss (CE, batch-size weighted) and accuracy of the fused output and of each head: a strategy's view. */
  summary(): SplitSummary {
    const n = this.samples;
    const div = (x: number): number => (n === 0 ? 0 : x / n);
    return {
      fused: { loss: div(this.fusedLossSum), acc: div(this.accSum) },
      heads: this.headAccSums.map((a, k) => ({ loss: div(this.headLossSums[k]!), acc: div(a) })),
    };
  }

  get count(): number {
    return this.samples;
  }

  result(): SplitMetrics {
    const n = this.samples;
    const div = (x: number): number => (n === 0 ? 0 : x / n);
    return { loss: div(this.lossSum), acc: div(this.accSum), accHeads: this.headAccSums.map(div), samples: n };
  }

  stateDict(): JsonObject {
    return {
      lossSum: this.lossSum,
      accSum: this.accSum,
      headAccSums: [...this.headAccSums],
      samples: this.samples,
      fusedLossSum: this.fusedLossSum,
      headLossSums: [...this.headLossSums],
    };
  }

  loadStateDict(state: JsonObject): void {
    this.lossSum = state['lossSum'] as number;
    this.accSum = state['accSum'] as number;
    this.headAccSums = [...(state['headAccSums'] as number[])];
    this.samples = state['samples'] as number;
    // Checkpoints written before the per-head losses existed have none: their summary's losses start from 0.
    this.fusedLossSum = typeof state['fusedLossSum'] === 'number' ? state['fusedLossSum'] : 0;
    this.headLossSums = Array.isArray(state['headLossSums'])
      ? [...(state['headLossSums'] as number[])]
      : new Array<number>(this.numHeads).fill(0);
  }
}
