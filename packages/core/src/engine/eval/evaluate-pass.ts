// Evaluation passes (validation, test, utilization's ablated and recording passes) and the batch-to-tensor step
// they share with training (docs/method.md#utilization). The training step imports these; nothing here trains.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Dataset, SplitName } from '../../contract/data/dataset.js';
import type { ForwardMode } from '../../contract/model/fusion-block.js';
import { Rng } from '../../contract/rng/rng.js';
import type { FuseContext, SplitSummary } from '../../contract/strategy/balancing-strategy.js';
import type { TrainLoss } from '../config/experiment-config.js';
import type { ModelOutput, MultiModalModel } from '../model/multimodal-model.js';
import type { SplitMetrics } from '../run/metric-records.js';
import { SplitAccumulator } from './accuracy.js';
import { baseLossOf, crossEntropy } from './loss.js';

/** The batch's arrays as tensors (only the modalities the model reads), plus labels and one-hot labels. */
export function batchTensors(
  batch: Batch,
  modalities: readonly number[],
  shapes: readonly (readonly number[])[],
  numClasses: number,
): { inputs: tf.Tensor[]; labels: tf.Tensor1D; oneHot: tf.Tensor2D } {
  return tf.tidy(() => {
    const inputs = modalities.map((m, i) => tf.tensor(batch.inputs[m]!, [batch.size, ...shapes[i]!], 'float32'));
    const labels = tf.tensor1d(batch.labels, 'int32');
    const oneHot = tf.cast(tf.oneHot(labels, numClasses), 'float32') as tf.Tensor2D;
    return { inputs, labels, oneHot };
  });
}

/** What a validation, test or recording pass needs. */
export interface EvaluateOptions {
  readonly model: MultiModalModel;
  readonly dataset: Dataset;
  readonly split: SplitName;
  readonly modalities: readonly number[];
  readonly shapes: readonly (readonly number[])[];
  readonly batchSize: number;
  readonly mode: ForwardMode;
  readonly legacyLength2AccuracyQuirk: boolean;
  readonly squeezeMeans?: readonly (readonly tf.Tensor1D[])[];
  readonly recordSqueezes?: (position: number, squeezes: readonly tf.Tensor2D[], batch: Batch) => void;
  /** Recording passes may use training augmentation; the stream it draws from. */
  readonly augment?: { readonly rng: Rng };
  /** Stops the pass within one batch (rejects with the signal's reason) when aborted. */
  readonly signal?: AbortSignal;
  /** The strategy's fused-prediction decider (`fuseLogits`), when it has one; else the model's fused output. */
  readonly fuse?: FuseFn;
  /** `train.loss`: the reported loss is the training base loss (default `heads` = Σ_k CE of the heads). */
  readonly loss?: TrainLoss;
}

/** A fused-prediction decider: the strategy's `fuseLogits` bound to the run, or undefined for the model's own. */
export type FuseFn = (heads: readonly tf.Tensor2D[], ctx: FuseContext) => tf.Tensor2D | undefined;

/** `out` with its fused logits from `fuse` (called inside the caller's tidy scope), or `out` itself without one. */
export function fusedBy(out: ModelOutput, fuse: FuseFn | undefined, phase: FuseContext['phase'], training: boolean): ModelOutput {
  if (!fuse) return out;
  const fused = fuse(out.heads, { training, phase, features: out.features });
  return fused ? { ...out, fused } : out;
}

/**
 * One pass over a split in inference mode (`training: false`) in the given forward mode: batch-size weighted loss
 * (the `train.loss` base loss, default Σ_k CE of the heads) and accuracies of the fused output and every head.
 */
export async function evaluatePass(o: EvaluateOptions): Promise<SplitMetrics> {
  return (await evaluateSplit(o)).metrics;
}

/**
 * {@link evaluatePass} plus the strategy's view of the split: CE loss and accuracy of the fused output and of
 * each head (batch-size weighted), for onValidationEnd.
 */
export async function evaluateSplit(o: EvaluateOptions): Promise<{ metrics: SplitMetrics; summary: SplitSummary }> {
  const acc = new SplitAccumulator(o.model.numModalities);
  const rng = o.augment?.rng ?? Rng.fromSeed(0, 'evaluation');
  for await (const batch of o.dataset.batches(o.split, {
    batchSize: o.batchSize,
    shuffle: false,
    augment: o.augment !== undefined,
    rng,
  })) {
    const packed = tf.tidy(() => {
      const { inputs, oneHot } = batchTensors(batch, o.modalities, o.shapes, o.model.numClasses);
      const phase = o.split === 'val' ? 'val' : o.split === 'test' ? 'test' : 'other';
      const raw = o.model.forward(inputs, {
        training: false,
        mode: o.mode,
        ...(o.squeezeMeans ? { squeezeMeans: o.squeezeMeans } : {}),
        ...(o.recordSqueezes ? { recordSqueezes: (p: number, s: readonly tf.Tensor2D[]) => o.recordSqueezes!(p, s, batch) } : {}),
      });
      const out = fusedBy(raw, o.fuse, phase, false);
      const loss = baseLossOf(o.loss ?? 'heads', out.fused, out.heads, oneHot);
      const outputs = [out.fused, ...out.heads];
      return tf.concat([
        tf.reshape(loss, [1]),
        ...outputs.map((l) => tf.cast(tf.argMax(l, 1), 'float32')),
        ...outputs.map((l) => tf.reshape(crossEntropy(l, oneHot), [1])),
      ]);
    });
    const values = await packed.data();
    packed.dispose();
    const b = batch.size;
    const n = o.model.numModalities;
    const fused = values.subarray(1, 1 + b);
    const heads = Array.from({ length: n }, (_, k) => values.subarray(1 + (k + 1) * b, 1 + (k + 2) * b));
    const ce = 1 + (n + 1) * b;
    const losses = { fused: values[ce]!, heads: Array.from(values.subarray(ce + 1, ce + 1 + n)) };
    acc.add(values[0]!, fused, heads, batch.labels, o.legacyLength2AccuracyQuirk, losses);
    if (o.signal) {
      // Let a pending SIGINT/SIGTERM handler run (the awaits above settle as microtasks), then honour it.
      await new Promise((resolve) => setImmediate(resolve));
      o.signal.throwIfAborted();
    }
  }
  return { metrics: acc.result(), summary: acc.summary() };
}
