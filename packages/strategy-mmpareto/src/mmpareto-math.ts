// The numbers of MMPareto (Wei and Hu, ICML 2024, §4 and Algorithm 1) as pure functions of dot products and
// norms, so that the faithfulness test can check them by hand. docs/mmpareto.md states the equations.

/**
 * The three dot products of two gradients g_m (multi-modal loss) and g_u (uni-modal loss) over one encoder:
 * everything the direction rule needs.
 */
export interface GradientPair {
  /** ⟨g_m, g_m⟩ */
  readonly mm: number;
  /** ⟨g_m, g_u⟩ */
  readonly mu: number;
  /** ⟨g_u, g_u⟩ */
  readonly uu: number;
}

/** The dot products of two gradients given as flat arrays (for tests and small models). */
export function pairOf(gm: ArrayLike<number>, gu: ArrayLike<number>): GradientPair {
  let mm = 0;
  let mu = 0;
  let uu = 0;
  for (let i = 0; i < gm.length; i++) {
    mm += gm[i]! * gm[i]!;
    mu += gm[i]! * gu[i]!;
    uu += gu[i]! * gu[i]!;
  }
  return { mm, mu, uu };
}

/** cos(g_m, g_u); 0 when either gradient is zero. */
export function cosine(p: GradientPair): number {
  const d = Math.sqrt(p.mm * p.uu);
  return d > 0 ? p.mu / d : 0;
}

/**
 * The min-norm point of the segment between g_m and g_u (MGDA for two tasks, closed form):
 * α* = argmin_{α ∈ [0, 1]} ‖α g_m + (1 − α) g_u‖² = clip(⟨g_u − g_m, g_u⟩ / ‖g_m − g_u‖², 0, 1).
 * Returns [α_m, α_u] = [α*, 1 − α*]. At an interior solution α_m g_m + α_u g_u has the same inner product with
 * both gradients, so it descends both losses at the same rate.
 */
export function minNormWeights(p: GradientPair): [number, number] {
  const denom = p.mm + p.uu - 2 * p.mu;
  if (!(denom > 0)) return [0.5, 0.5]; // g_m = g_u: every point of the segment is the same vector
  const a = Math.min(1, Math.max(0, (p.uu - p.mu) / denom));
  return [a, 1 - a];
}

/**
 * MMPareto's direction rule: equal weights [½, ½] when the gradients agree (cos > 0), the min-norm (MGDA)
 * weights when they conflict (cos ≤ 0, the authors' released code). `conflict` says which case applied.
 */
export function paretoWeights(p: GradientPair): { readonly weights: [number, number]; readonly conflict: boolean; readonly cos: number } {
  const cos = cosine(p);
  const conflict = !(cos > 0);
  return { weights: conflict ? minNormWeights(p) : [0.5, 0.5], conflict, cos };
}

/**
 * MMPareto's magnitude rule for one parameter tensor: the combined direction h = 2(α_m g_m + α_u g_u) is
 * stretched back to at least the norm of the plain summed gradient g (the sum of every loss's gradient, what
 * the optimizer would have used), then multiplied by γ:
 * g' = γ · max(1, ‖g‖ / ‖h‖) · h. Returns the factor that multiplies h.
 */
export function magnitudeFactor(sumNorm: number, combinedNorm: number, gamma: number): number {
  if (!(combinedNorm > 0)) return gamma;
  return gamma * Math.max(1, sumNorm / combinedNorm);
}
