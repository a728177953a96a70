import { Rng } from '../contract/rng/rng.js';

/**
 * A real {@link Rng} whose `int(n)` returns the scripted values in order (each checked against `n`), for
 * tests that pin a strategy's random choices (docs/method.md#random). Other draws come from a seeded stream.
 *
 * @example
 * const rng = scriptedRng([0, 1, 2]);
 * rng.int(3); // 0, then 1, then 2, then throws
 */
export function scriptedRng(values: readonly number[], seed = 0): Rng {
  const rng = Rng.fromSeed(seed, 'scripted');
  let next = 0;
  rng.int = (n: number): number => {
    if (next >= values.length) {
      throw new RangeError(`scriptedRng: int(${n}) called ${next + 1} times, but only ${values.length} values were scripted.`);
    }
    const v = values[next++]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new RangeError(`scriptedRng: scripted value must be an integer in [0, ${n}), but got ${v}.`);
    }
    return v;
  };
  return rng;
}
