import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '@ungreedy/backend';
import type { ParamStore } from './param-store.js';

export interface BatchNormOptions {
  /** PyTorch's momentum: running = (1 - momentum)·running + momentum·batch. */
  readonly momentum?: number;
  readonly eps?: number;
}

export interface BatchNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  /** Normalises over every axis but the last (channels). */
  apply(x: tf.Tensor, training: boolean): tf.Tensor;
}

/**
 * Batch normalisation over the channel (last) axis of a tensor of any rank ≥ 2, as PyTorch's BatchNorm:
 * training uses the batch statistics (biased variance) and updates the running statistics with the
 * unbiased variance; inference uses the running statistics. Weight 1, bias 0, running mean 0, running var 1.
 *
 * It computes `(x - mean)·rsqrt(var + eps)·g + b` on a 4-D view (the gradient of a 5-D `tf.batchNorm` throws on
 * every backend), in training as the single op `batchNormTrain`. Running statistics are non-trainable variables, so checkpoints
 * hold them; their update is an assignment, outside any gradient path.
 */
export function createBatchNorm(store: ParamStore, name: string, channels: number, o: BatchNormOptions = {}): BatchNorm {
  const momentum = o.momentum ?? 0.1;
  const eps = o.eps ?? 1e-5;
  const s = store.child(name);
  const weight = s.fill('weight', [channels], 1);
  const bias = s.fill('bias', [channels], 0);
  const runningMean = s.fill('running_mean', [channels], 0, false);
  const runningVar = s.fill('running_var', [channels], 1, false);
  return {
    weight,
    bias,
    runningMean,
    runningVar,
    apply(x, training) {
      const x4 = view4d(x);
      if (training) {
        const n = x4.size / channels;
        const bessel = n > 1 ? n / (n - 1) : 1;
        // One op with its own gradient (@ungreedy/backend, kernels/batch-norm-train.ts): same values as the formula below,
        // a fraction of its tape memory. The running statistics are updated outside any gradient path.
        const y = batchNormTrain(x4, weight as tf.Tensor1D, bias as tf.Tensor1D, eps, ({ mean, variance }) => {
          tf.tidy(() => {
            runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
            runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(variance, momentum * bessel)));
          });
          mean.dispose();
          variance.dispose();
        });
        return tf.reshape(y, x.shape);
      }
      const y = tf.add(tf.mul(tf.mul(tf.sub(x4, runningMean), tf.rsqrt(tf.add(runningVar, eps))), weight), bias);
      return tf.reshape(y, x.shape);
    },
  };
}

/** [N, ..., C] as [N, A, B, C] without copying: rank 2 → [N,1,1,C], rank 5 [N,D,H,W,C] → [N,D·H,W,C]. */
export function view4d(x: tf.Tensor): tf.Tensor4D {
  const s = x.shape;
  const r = s.length;
  if (r < 2) throw new RangeError(`batch norm: input must have rank >= 2, but got rank ${r}.`);
  if (r === 4) return x as tf.Tensor4D;
  const n = s[0]!;
  const c = s[r - 1]!;
  if (r === 2) return tf.reshape(x, [n, 1, 1, c]);
  if (r === 3) return tf.reshape(x, [n, s[1]!, 1, c]);
  const middle = s.slice(1, r - 2).reduce((a, b) => a * b, 1);
  return tf.reshape(x, [n, middle, s[r - 2]!, c]);
}
