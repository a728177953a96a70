/**
 * The gradient-check suite's source of test data, a seeded generator of its own so this package needs nothing from
 * @ungreedy/core. It draws exactly the numbers core's `Rng.fromSeed(seed, label)` draws (xoshiro128** seeded through
 * splitmix32 from the seed and an FNV-1a hash of the label; Marsaglia polar normals; Fisher-Yates permutations),
 * so the suite's inputs stayed bit for bit the same when the kernels moved out of core: several cases (a relu after
 * batch norm, say) pass their finite-difference check only where no kink lies within ε of the data, which is a
 * property of these particular numbers. Core's packages/core/src/engine/backend/seeded-random.test.ts checks the two
 * generators agree. Deterministic across platforms: 32-bit integer arithmetic only (Math.imul, >>> 0).
 */
export class SeededRandom {
  private readonly s: Uint32Array;
  private spare: number | null = null;

  /** A stream for `seed`, made distinct per `label` (a case's name, an input's name). */
  constructor(seed: number, label: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    let x = (Math.trunc(seed) ^ h) >>> 0;
    this.s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Uniform in [0, 1), 53 bits, from two xoshiro128** outputs. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal deviate (Marsaglia polar method; every second one is the pair's spare). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return u * f;
  }

  /** Fills `out` with standard normal deviates and returns it. */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** A random permutation of 0..n−1 (Fisher-Yates, from the last element down). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  private nextUint32(): number {
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
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
