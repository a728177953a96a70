import type { ExperimentConfig } from '../config/experiment-config.js';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../contract/data/dataset.js';
import { REGULAR } from '../../contract/model/fusion-block.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import type { Rng } from '../../contract/rng/rng.js';
import type { SplitMetrics, UtilizationRecord } from '../run/metric-records.js';
import { evaluatePass, type FuseFn } from './evaluate-pass.js';
import type { TrainLoss } from '../config/experiment-config.js';
import { spread } from './learning-speed.js';

export interface UtilizationInput {
  /** Fused accuracy A(f) of the intact model, in percent. */
  readonly acc: number;
  /** A(f_k): each head of the intact model. */
  readonly accHeads: readonly number[];
  /** A(f'_k): each head with the other modalities' fusion input replaced by its training-split mean. */
  readonly accHeadsAblated: readonly number[];
  /** `branch`: divide by A(f_k) (the reference reading, docs/method.md#utilization); `fused`: divide by A(f). */
  readonly denominator: 'branch' | 'fused';
}

/**
 * Conditional utilization rates (docs/method.md#utilization): u_k = (A(f_k) − A(f'_k)) / D_k with D_k = A(f_k) or A(f), and
 * d_util = u_0 − u_1 (N > 2: max − min). Negative rates are kept, never clamped (reference issue #1).
 *
 * @example
 * utilizationRates({ acc: 90, accHeads: [90, 90], accHeadsAblated: [60, 85], denominator: 'branch' });
 * // { u: [1/3, 1/18], dUtil: 5/18 }
 */
export function utilizationRates(input: UtilizationInput): { u: number[]; dUtil: number } {
  const u = input.accHeads.map((a, k) => {
    const d = input.denominator === 'branch' ? a : input.acc;
    return (a - input.accHeadsAblated[k]!) / d;
  });
  return { u, dUtil: spread(u) };
}

/** The utilization settings a run's config decides, in the shape `measureUtilization` takes them. */
export function utilizationSettings(config: ExperimentConfig): Pick<
  MeasureUtilizationOptions,
  'batchSize' | 'legacyLength2AccuracyQuirk' | 'denominator' | 'recordWithAugmentation'
> {
  return {
    batchSize: config.train.evalBatchSize,
    legacyLength2AccuracyQuirk: config.train.legacyLength2AccuracyQuirk,
    denominator: config.metrics.utilizationDenominator,
    recordWithAugmentation: config.metrics.recordWithAugmentation,
  };
}

export interface MeasureUtilizationOptions {
  readonly model: MultiModalModel;
  readonly dataset: Dataset;
  /** Dataset modality indices the model reads, in order. */
  readonly modalities: readonly number[];
  readonly batchSize: number;
  readonly legacyLength2AccuracyQuirk: boolean;
  readonly denominator: 'branch' | 'fused';
  /** Record the squeezes with training-time augmentation (the reference) or without. */
  readonly recordWithAugmentation: boolean;
  /** The strategy's fused-prediction decider (fuseLogits), used in every pass; default the model's fused output. */
  readonly fuse?: FuseFn;
  /** `train.loss`: the test pass reports this loss (default `heads` = Σ_k CE of the heads). */
  readonly loss?: TrainLoss;
  /** Stream for the recording pass's augmentation (the run's `augment` stream). */
  readonly augmentRng: Rng;
  readonly checkpoint: 'best' | 'last';
  readonly epoch: number;
  /** Stops the measurement within one batch of any of its passes (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * The conditional utilization evaluation (docs/method.md#utilization) of the model as it is now (load the checkpoint first):
 * 1. a regular test pass gives A(f) and A(f_k);
 * 2. a recording pass over the training split in inference mode collects every fusion block's per-modality
 *    squeezes, averaged per position and modality over the training split's indices;
 * 3. one `ablate-partner` test pass with those means gives every A(f'_k) at once.
 * Models without fusion blocks (late fusion, uni-modal) have no utilization: `record` is null.
 */
export async function measureUtilization(
  o: MeasureUtilizationOptions,
): Promise<{ test: SplitMetrics | null; record: UtilizationRecord | null }> {
  const shapes = o.modalities.map((m) => o.dataset.modalities[m]!.shape);
  const common = {
    model: o.model,
    dataset: o.dataset,
    modalities: o.modalities,
    shapes,
    batchSize: o.batchSize,
    legacyLength2AccuracyQuirk: o.legacyLength2AccuracyQuirk,
    ...(o.fuse ? { fuse: o.fuse } : {}),
    ...(o.loss ? { loss: o.loss } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
  if (o.dataset.size('test') === 0) return { test: null, record: null };
  const test = await evaluatePass({ ...common, split: 'test', mode: REGULAR });
  if (o.model.fusionPoints === 0 || o.model.numModalities < 2) return { test, record: null };

  const trainIndices = new Set(o.dataset.indices('train'));
  const sums: Float64Array[][] = [];
  const counts: number[][] = [];
  await evaluatePass({
    ...common,
    split: 'train',
    mode: REGULAR,
    ...(o.recordWithAugmentation ? { augment: { rng: o.augmentRng.fork('utilization-recording') } } : {}),
    recordSqueezes: (position, squeezes, batch) => {
      const keep = Array.from(batch.indices, (i) => trainIndices.has(i));
      squeezes.forEach((s, k) => {
        const [rows, cols] = s.shape;
        const values = s.dataSync();
        const sum = ((sums[position] ??= [])[k] ??= new Float64Array(cols));
        const row = (counts[position] ??= []);
        for (let r = 0; r < rows; r++) {
          if (!keep[r]) continue;
          for (let c = 0; c < cols; c++) sum[c]! += values[r * cols + c]!;
          row[k] = (row[k] ?? 0) + 1;
        }
      });
    },
  });
  const means = sums.map((perModality, p) =>
    perModality.map((sum, k) => tf.tensor1d(Float32Array.from(sum, (x) => x / (counts[p]![k] ?? 1)))),
  );
  let ablated: SplitMetrics;
  try {
    ablated = await evaluatePass({ ...common, split: 'test', mode: { kind: 'ablate-partner' }, squeezeMeans: means });
  } finally {
    tf.dispose(means.flat());
  }
  const { u, dUtil } = utilizationRates({
    acc: test.acc,
    accHeads: test.accHeads,
    accHeadsAblated: ablated.accHeads,
    denominator: o.denominator,
  });
  return {
    test,
    record: {
      type: 'utilization',
      checkpoint: o.checkpoint,
      epoch: o.epoch,
      denominator: o.denominator,
      acc: test.acc,
      accHeads: test.accHeads,
      accHeadsAblated: ablated.accHeads,
      u,
      dUtil,
    },
  };
}
