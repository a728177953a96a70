import { tf } from '@ungreedy/core';

/**
 * The head projector's regulariser at a step: α = base^(1 + i / I), i the step within the epoch and I the steps per
 * epoch (the paper's code: 0.1 → 0.01 over an epoch).
 */
export function projectorAlpha(base: number, stepInEpoch: number, stepsPerEpoch: number): number {
  return base ** (1 + stepInEpoch / stepsPerEpoch);
}

/** The identity projector, [dim × dim] row-major. */
export function identityProjector(dim: number): Float64Array {
  const p = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i += 1) p[i * dim + i] = 1;
  return p;
}

/**
 * One recursive update of the head's projector with a mean feature h̄ (OWM's recursive least squares):
 * k = P h̄, P ← P − k kᵀ / (α + h̄ᵀ k); then, with `normalize`, P ← P / ‖P‖_F (the paper's code). The new P
 * maps h̄ (and every mean feature folded in before) to nearly 0, so a gradient multiplied by P barely changes the
 * head's output on those features. docs/mla.md, "Gradient modification".
 */
export function updateProjector(p: Float64Array, mean: ArrayLike<number>, alpha: number, normalize: boolean): Float64Array {
  const dim = mean.length;
  const k = new Float64Array(dim);
  for (let i = 0; i < dim; i += 1) {
    let s = 0;
    for (let j = 0; j < dim; j += 1) s += p[i * dim + j]! * mean[j]!;
    k[i] = s;
  }
  let hk = 0;
  for (let i = 0; i < dim; i += 1) hk += mean[i]! * k[i]!;
  const denom = alpha + hk;
  const out = new Float64Array(dim * dim);
  let frob = 0;
  for (let i = 0; i < dim; i += 1) {
    for (let j = 0; j < dim; j += 1) {
      const v = p[i * dim + j]! - (k[i]! * k[j]!) / denom;
      out[i * dim + j] = v;
      frob += v * v;
    }
  }
  if (normalize) {
    const n = Math.sqrt(frob);
    for (let i = 0; i < out.length; i += 1) out[i] = out[i]! / n;
  }
  return out;
}

/**
 * The projected gradient of the head's kernel K [dim × classes] (inputs × outputs, so Kᵀ is the paper's W):
 * ∇W ← ∇W Pᵀ, i.e. ∇K ← P ∇K. Row-major in, row-major out.
 */
export function projectKernelGradient(p: Float64Array, grad: ArrayLike<number>, dim: number, classes: number): Float32Array {
  const out = new Float32Array(dim * classes);
  for (let i = 0; i < dim; i += 1) {
    for (let c = 0; c < classes; c += 1) {
      let s = 0;
      for (let j = 0; j < dim; j += 1) s += p[i * dim + j]! * grad[j * classes + c]!;
      out[i * classes + c] = s;
    }
  }
  return out;
}

/** Column means of a row-major [rows × dim] matrix: the batch-mean feature h̄. */
export function meanFeature(features: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i += 1) for (let d = 0; d < dim; d += 1) mean[d] = mean[d]! + features[i * dim + d]!;
  for (let d = 0; d < dim; d += 1) mean[d] = mean[d]! / rows;
  return mean;
}

/**
 * Test-time fusion weights: e_m = −Σ_c p_mc log p_mc, the entropy of head m's softmax per sample, and
 * λ_m = exp(max_k e_k − e_m) / Σ_j exp(max_k e_k − e_j) = softmax_m(−e_m): the more certain head weighs more.
 * Returns [B, M].
 */
export function entropyFusionWeights(heads: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const entropies = heads.map((h) => {
      const logp = tf.logSoftmax(h);
      return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)); // [B]
    });
    return tf.softmax(tf.neg(tf.stack(entropies, 1))) as tf.Tensor2D;
  });
}

/** The uncertainty-weighted fused logits Σ_m λ_m · logits_m, [B, C]. */
export function entropyFuse(heads: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const w = entropyFusionWeights(heads);
    const parts = heads.map((h, m) => tf.mul(h, tf.slice(w, [0, m], [-1, 1])));
    return tf.addN(parts) as tf.Tensor2D;
  });
}
