import type { JsonObject } from '../util/json.js';

/**
 * The purposes a run draws randomness for. Each gets its own stream, derived from the run seed and the
 * purpose's name, so adding draws in one place (say, a new augmentation) never shifts another
 * (say, weight init). TensorFlow.js has no global seed, so every random number in a run comes from here.
 */
export type RngPurpose = 'init' | 'shuffle' | 'augment' | 'strategy' | 'data' | (string & {});

/** Serialisable state of a stream: the four 32-bit words of xoshiro128** plus a cached normal deviate. */
export interface RngState extends JsonObject {
  s: [number, number, number, number];
  spare: number | null;
}

/**
 * A seeded pseudo-random stream (xoshiro128**, seeded through splitmix32). Deterministic across
 * platforms: only 32-bit integer arithmetic via Math.imul and >>> 0.
 *
 * @example
 * const init = Rng.fromSeed(7, 'init');
 * init.normal(); // the same value on every machine for seed 7
 */
export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  private constructor(state: ArrayLike<number>) {
    this.s = Uint32Array.from(state);
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** A stream for `purpose` derived from an integer seed. */
  static fromSeed(seed: number, purpose: RngPurpose = 'default'): Rng {
    let x = (Math.trunc(seed) ^ hashString(purpose)) >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      words.push((z ^ (z >>> 16)) >>> 0);
    }
    return new Rng(words);
  }

  /** Restores a stream saved with {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(state.s);
    r.spare = state.spare;
    return r;
  }

  /** A child stream for a sub-purpose, independent of this one's future draws. */
  fork(purpose: string): Rng {
    return Rng.fromSeed(this.nextUint32(), purpose);
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 bits of precision. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, but got ${n}.`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal deviate (Marsaglia polar method). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return mean + std * u * f;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** Fills a Float32Array with N(mean, std²) deviates. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** The stream's state, to store in a checkpoint. */
  state(): RngState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a, 32 bits: turns a purpose name into seed material. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The run's streams, one per purpose, created on first use and saved together in checkpoints.
 */
export class RngStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly seed: number) {}

  get(purpose: RngPurpose): Rng {
    let r = this.streams.get(purpose);
    if (!r) {
      r = Rng.fromSeed(this.seed, purpose);
      this.streams.set(purpose, r);
    }
    return r;
  }

  stateDict(): JsonObject {
    const out: JsonObject = {};
    for (const [k, r] of [...this.streams].sort(([a], [b]) => a.localeCompare(b))) out[k] = r.state();
    return out;
  }

  loadStateDict(state: JsonObject): void {
    this.streams.clear();
    for (const [k, s] of Object.entries(state)) this.streams.set(k, Rng.fromState(s as RngState));
  }
}
