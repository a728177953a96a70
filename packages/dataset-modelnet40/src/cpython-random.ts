/**
 * CPython's `random.Random`, bit for bit, for the one thing ungreedy needs it for: reproducing the reference
 * code's ModelNet40 validation split (`random.Random(10)` then `random.shuffle(list(range(N)))`).
 *
 * MT19937 (Matsumoto & Nishimura) seeded the way CPython seeds from an integer: `init_by_array` over the
 * absolute value's 32-bit words, least significant first (`[0]` for 0). `getrandbits`, `_randbelow` and
 * `shuffle` follow CPython 3.11's algorithms, so the same seed gives the same permutation as Python.
 *
 * @example
 * const r = new CPythonRandom(10);
 * const order = r.shuffle(Array.from({ length: 10 }, (_, i) => i)); // [5, 2, 7, 1, 8, 4, 3, 6, 0, 9]
 */
export class CPythonRandom {
  private readonly mt = new Uint32Array(624);
  private mti = 625;

  constructor(seed: number | bigint) {
    this.initByArray(seedWords(seed));
  }

  /** The next raw 32-bit output of MT19937 (CPython's `genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      let kk = 0;
      for (; kk < 624 - 397; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + 397]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < 623; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (397 - 624)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[623]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[623] = mt[396]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.getrandbits(k)`: k random bits as a non-negative bigint (words filled least significant first). */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`getrandbits: k must be a non-negative integer, but got ${k}.`);
    if (k === 0) return 0n;
    if (k <= 32) return BigInt(this.nextUint32() >>> (32 - k));
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let r = this.nextUint32();
      if (left < 32) r >>>= 32 - left;
      result |= BigInt(r) << shift;
      shift += 32n;
    }
    return result;
  }

  /** `random._randbelow(n)` (the getrandbits variant): rejection sampling on `n.bit_length()` bits. */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`randbelow: n must be a positive safe integer, but got ${n}.`);
    const k = bitLength(n);
    // Up to 32 bits the draw fits a number; this is the only path a split of < 2^32 items uses.
    if (k <= 32) {
      let r = this.nextUint32() >>> (32 - k);
      while (r >= n) r = this.nextUint32() >>> (32 - k);
      return r;
    }
    let r = this.getrandbits(k);
    while (r >= BigInt(n)) r = this.getrandbits(k);
    return Number(r);
  }

  /** `random.shuffle(x)` in place (CPython 3.11+): `for i in reversed(range(1, len(x))): j = _randbelow(i + 1)`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = 624;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }
}

/** The reference's split: shuffle 0..n-1 with `random.Random(seed)`; the first floor(fraction·n) are validation. */
export function referenceSplit(n: number, fraction = 0.2, seed = 10): { train: number[]; val: number[] } {
  const order = new CPythonRandom(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const nVal = Math.floor(fraction * n);
  return { val: order.slice(0, nVal), train: order.slice(nVal) };
}

function seedWords(seed: number | bigint): number[] {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`CPythonRandom: seed must be a safe integer or a bigint, but got ${seed}.`);
  }
  let n = BigInt(seed);
  if (n < 0n) n = -n;
  if (n === 0n) return [0];
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

function bitLength(n: number): number {
  return n < 2 ** 32 ? 32 - Math.clz32(n) : BigInt(n).toString(2).length;
}
