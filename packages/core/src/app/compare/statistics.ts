/**
 * The statistics a comparison table reports: mean ± sample standard deviation over seeds, and the paired
 * difference against a baseline on the same seeds with a two-sided paired t-test.
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1 in the denominator, as numpy's ddof=1 and the paper's ± use); NaN for n < 2. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

export interface PairedTest {
  /** Number of pairs. */
  readonly n: number;
  /** Mean of (a_i − b_i). */
  readonly meanDiff: number;
  readonly stdDiff: number;
  /** t statistic, df = n − 1; NaN when n < 2; ±Infinity when every difference is equal and non-zero. */
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value; NaN when n < 2. */
  readonly p: number;
}

/** Paired two-sided t-test of a against b (same seeds, same order). */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTest {
  if (a.length !== b.length) {
    throw new RangeError(`pairedTTest: both samples must have the same length, but got ${a.length} and ${b.length}.`);
  }
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const meanDiff = mean(d);
  const stdDiff = sampleStd(d);
  if (n < 2) return { n, meanDiff, stdDiff, t: NaN, df: n - 1, p: NaN };
  const df = n - 1;
  if (stdDiff === 0) {
    const t = meanDiff === 0 ? NaN : meanDiff > 0 ? Infinity : -Infinity;
    return { n, meanDiff, stdDiff, t, df, p: meanDiff === 0 ? 1 : 0 };
  }
  const t = meanDiff / (stdDiff / Math.sqrt(n));
  return { n, meanDiff, stdDiff, t, df, p: studentTTwoSidedP(t, df) };
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** I_x(a, b), by the continued fraction (modified Lentz), using the symmetry for fast convergence. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant digits. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let s = coef[0]!;
  for (let i = 1; i < g + 2; i++) s += coef[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
