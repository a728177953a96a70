import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setupWebGpu } from '../webgpu/setup-webgpu.js';
import { registerProjectKernels } from './index.js';
import { ensureGradients } from './register-gradients.js';
import { SeededRandom } from './seeded-random.js';

/**
 * Helpers of the gradient-check suite: run one op (or a small composition) forward and backward on a backend,
 * from plain arrays, and compare backends or finite differences. Everything is computed from seeded data and
 * read back to Float32Arrays, so results from different backends can be compared after switching.
 */

/** How an input's values are drawn. `distinct`: a shuffled grid with gaps of 0.05 (no ties, no kinks near
 * the data, for finite differences through max/relu); `ties`: values rounded to 0.5, many equal;
 * `negative`: all below −0.5 (windows whose maximum is negative). */
export type Fill = 'normal' | 'distinct' | 'ties' | 'negative';

export interface InputSpec {
  readonly shape: readonly number[];
  readonly fill?: Fill;
  /** Inputs that are constants of the case (labels, ...) get no gradient. */
  readonly grad?: boolean;
}

export interface OpCase {
  readonly name: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly f: (x: Record<string, tf.Tensor>) => tf.Tensor;
  /** Finite-difference step; smaller for cases with max/relu so no kink is crossed. */
  readonly eps?: number;
  /** Skip finite differences (cases whose gradient is defined by convention, e.g. ties). */
  readonly noFiniteDiff?: boolean;
}

export type Arrays = Record<string, Float32Array>;

export interface Evaluation {
  readonly out: Float32Array;
  readonly outShape: number[];
  /** Gradient of Σ out·r (r a fixed random tensor) with respect to each differentiable input. */
  readonly grads: Arrays;
}

/** Deterministic input data for a case (the same on every backend). */
export function makeInputs(c: OpCase, seed: number): Arrays {
  const rng = new SeededRandom(seed, `kernels/${c.name}`);
  const out: Arrays = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    out[name] = fill(rng, size(spec.shape), spec.fill ?? 'normal');
  }
  return out;
}

function fill(rng: SeededRandom, n: number, how: Fill): Float32Array {
  const a = new Float32Array(n);
  if (how === 'distinct') {
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) a[i] = (perm[i]! - n / 2) * 0.05;
  } else if (how === 'ties') {
    for (let i = 0; i < n; i++) a[i] = Math.round(rng.normal() * 2) / 2;
  } else if (how === 'negative') {
    for (let i = 0; i < n; i++) a[i] = -0.5 - Math.abs(rng.normal());
  } else {
    rng.fillNormal(a);
  }
  return a;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

/** The upstream gradient r for an output of `n` elements (seeded, the same on every backend). */
export function upstream(c: OpCase, n: number): Float32Array {
  return new SeededRandom(7, `kernels/${c.name}/dy`).fillNormal(new Float32Array(n));
}

/** Forward and backward of a case on the current backend. */
export function evaluate(c: OpCase, data: Arrays, withGrads = true): Evaluation {
  const names = Object.keys(c.inputs);
  const diff = names.filter((n) => c.inputs[n]!.grad !== false);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const n of names) tensors[n] = tf.tensor(data[n]!, [...c.inputs[n]!.shape]);
    const y = c.f(tensors);
    const out = y.dataSync() as Float32Array;
    const grads: Arrays = {};
    if (withGrads && diff.length > 0) {
      const r = tf.tensor(upstream(c, y.size), y.shape);
      const gs = tf.grads((...xs: tf.Tensor[]) => {
        const all = { ...tensors };
        diff.forEach((n, i) => (all[n] = xs[i]!));
        return tf.sum(tf.mul(c.f(all), r));
      })(diff.map((n) => tensors[n]!));
      diff.forEach((n, i) => (grads[n] = Float32Array.from(gs[i]!.dataSync() as Float32Array)));
    }
    return { out: Float32Array.from(out), outShape: y.shape, grads };
  });
}

/** Σ f(x)·r in float64, for finite differences. */
function objective(c: OpCase, data: Arrays): number {
  const { out } = evaluate(c, data, false);
  const r = upstream(c, out.length);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]! * r[i]!;
  return s;
}

export interface FiniteDiffResult {
  readonly input: string;
  readonly analytic: number;
  readonly numeric: number;
  readonly relErr: number;
}

/**
 * Directional central differences: for each differentiable input, (L(x + εv) − L(x − εv)) / 2ε against
 * ⟨∇L, v⟩ for a random direction v, on the current backend.
 */
export function finiteDiff(c: OpCase, data: Arrays, grads: Arrays): FiniteDiffResult[] {
  const eps = c.eps ?? 1e-2;
  const results: FiniteDiffResult[] = [];
  for (const [name, g] of Object.entries(grads)) {
    const v = new SeededRandom(11, `kernels/${c.name}/v/${name}`).fillNormal(new Float32Array(g.length));
    const x = data[name]!;
    const plus = { ...data, [name]: x.map((xi, i) => xi + eps * v[i]!) };
    const minus = { ...data, [name]: x.map((xi, i) => xi - eps * v[i]!) };
    const numeric = (objective(c, plus) - objective(c, minus)) / (2 * eps);
    let analytic = 0;
    for (let i = 0; i < g.length; i++) analytic += g[i]! * v[i]!;
    const relErr = Math.abs(numeric - analytic) / Math.max(1, Math.abs(numeric), Math.abs(analytic));
    results.push({ input: name, analytic, numeric, relErr });
  }
  return results;
}

/** max |a − b| / max(1e-6, max |b|): the error of `a` relative to the scale of the reference `b`. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 1e-6;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= num)) num = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

/** Switches to `name` with the project's kernels registered, as backend selection does. */
export async function useBackend(name: string): Promise<void> {
  await ensureGradients();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend ${name} failed to initialise`);
  }
  registerProjectKernels(name);
}

/** Backends that load in this process: cpu and wasm always, webgpu when a GPU adapter is found. */
export async function availableBackends(): Promise<string[]> {
  const names = ['cpu', 'wasm'];
  if (process.env.UNGREEDY_SKIP_WEBGPU !== '1' && (await setupWebGpu())) names.push('webgpu');
  return names;
}

/** Computes a case on the cpu backend (the oracle) and then on `backend`. */
export async function compareWithCpu(c: OpCase, backend: string, seed = 1): Promise<{ ref: Evaluation; got: Evaluation }> {
  const data = makeInputs(c, seed);
  await useBackend('cpu');
  const ref = evaluate(c, data);
  await useBackend(backend);
  const got = evaluate(c, data);
  return { ref, got };
}
