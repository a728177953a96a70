import { tf } from '@ungreedy/core';

/** Prototypes of one modality: row c is the mean feature of class c, [numClasses × dim], row-major. */
export interface Prototypes {
  readonly numClasses: number;
  readonly dim: number;
  readonly values: Float32Array;
}

/**
 * Sums features per class over batches, then averages them into prototypes c_k = (1 / |D_k|) Σ_{y_i = k} z_i
 * (docs/pmr.md, "Prototypes"). A class with no sample keeps the previous prototype (zeros on the first pass).
 */
export class PrototypeAccumulator {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly numClasses: number,
    readonly dim: number,
  ) {
    this.sums = new Float64Array(numClasses * dim);
    this.counts = new Float64Array(numClasses);
  }

  /** Adds a batch: `features` row-major [B × dim], `labels` [B]. */
  add(features: ArrayLike<number>, labels: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i += 1) {
      const c = labels[i]!;
      this.counts[c] = this.counts[c]! + 1;
      for (let d = 0; d < this.dim; d += 1) this.sums[c * this.dim + d] = this.sums[c * this.dim + d]! + features[i * this.dim + d]!;
    }
  }

  /**
   * The prototypes of this pass, blended with the previous ones: p = (1 − momentum) · mean + momentum · previous
   * (the paper's code; no blending when `previous` is null, i.e. on the first pass).
   */
  finish(previous: Prototypes | null, momentum: number): Prototypes {
    const values = new Float32Array(this.numClasses * this.dim);
    for (let c = 0; c < this.numClasses; c += 1) {
      const n = this.counts[c]!;
      for (let d = 0; d < this.dim; d += 1) {
        const i = c * this.dim + d;
        const old = previous ? previous.values[i]! : 0;
        if (n === 0) values[i] = old;
        else values[i] = previous ? (1 - momentum) * (this.sums[i]! / n) + momentum * old : this.sums[i]! / n;
      }
    }
    return { numClasses: this.numClasses, dim: this.dim, values };
  }
}

/**
 * Prototype logits: the negative Euclidean distance of each feature to each class prototype, −‖z_i − c_k‖₂,
 * [B, numClasses]. A tiny constant under the square root keeps the gradient finite at distance 0.
 */
export function prototypeLogits(features: tf.Tensor2D, prototypes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(features, 1), tf.expandDims(prototypes, 0)); // [B, C, D]
    return tf.neg(tf.sqrt(tf.add(tf.sum(tf.square(diff), 2), 1e-12))) as tf.Tensor2D;
  });
}

/** Prototype cross-entropy: softmax over the prototype logits against the labels, batch mean. */
export function prototypeCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/** Mean over the batch of the entropy of softmax(prototype logits): the PER term. */
export function prototypeEntropy(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1))) as tf.Scalar;
  });
}

/** A modality's prototype score on a batch: Σ_i softmax(prototype logits_i)[y_i] (the paper's s^m). */
export function prototypeScore(logits: tf.Tensor2D, oneHot: tf.Tensor2D): number {
  return tf.tidy(() => tf.sum(tf.mul(tf.softmax(logits), oneHot)).dataSync()[0]!);
}

/**
 * The coefficient of each modality's prototype cross-entropy: clip(max_k s_k / s_m − 1, 0, 1). For two
 * modalities with imbalance ratio ρ = s_0 / s_1 this is the paper's rule: ρ > 1 gives modality 1 the weight
 * clip(ρ − 1, 0, 1) and modality 0 none; ρ < 1 gives modality 0 clip(1/ρ − 1, 0, 1). The leading modality
 * always gets 0.
 */
export function prototypeCoefficients(scores: readonly number[]): number[] {
  const best = Math.max(...scores);
  return scores.map((s) => (s > 0 ? Math.min(Math.max(best / s - 1, 0), 1) : 1));
}
