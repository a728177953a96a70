import type { SplitMetrics } from '../run/metric-records.js';
import type { JsonObject } from '../util/json.js';

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

  constructor(readonly numHeads: number) {
    this.headAccSums = new Array<number>(numHeads).fill(0);
  }

  /** Adds one batch: its mean loss, fused predictions, per-head predictions and labels. */
  add(loss: number, fused: ArrayLike<number>, heads: readonly ArrayLike<number>[], labels: ArrayLike<number>, legacy: boolean): void {
    const size = labels.length;
    this.lossSum += loss * size;
    this.accSum += batchAccuracy(fused, labels, legacy) * size;
    for (let k = 0; k < this.numHeads; k++) this.headAccSums[k]! += batchAccuracy(heads[k]!, labels, legacy) * size;
    this.samples += size;
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
    return { lossSum: this.lossSum, accSum: this.accSum, headAccSums: [...this.headAccSums], samples: this.samples };
  }

  loadStateDict(state: JsonObject): void {
    this.lossSum = state['lossSum'] as number;
    this.accSum = state['accSum'] as number;
    this.headAccSums = [...(state['headAccSums'] as number[])];
    this.samples = state['samples'] as number;
  }
}
