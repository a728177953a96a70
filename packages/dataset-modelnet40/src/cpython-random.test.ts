import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPythonRandom, referenceSplit } from './cpython-random.js';

// Printed by CPython 3.11.7 on this machine, e.g.
// python3 -c 'import random; r=random.Random(10); l=list(range(20)); r.shuffle(l); print(l)'
const SHUFFLED: Record<number, number[]> = {
  1: [0],
  2: [1, 0],
  5: [3, 2, 1, 0, 4],
  10: [5, 2, 7, 1, 8, 4, 3, 6, 0, 9],
  20: [14, 11, 5, 6, 19, 8, 9, 12, 16, 2, 10, 4, 17, 7, 3, 0, 15, 13, 1, 18],
  100: [
    21, 50, 60, 43, 16, 69, 97, 67, 94, 29, 86, 89, 74, 25, 40, 7, 70, 63, 13, 47, 6, 55, 39, 24, 3, 68, 72, 11, 18, 57,
    44, 80, 76, 64, 82, 95, 85, 52, 93, 14, 10, 32, 51, 96, 84, 87, 65, 27, 28, 90, 42, 88, 92, 49, 23, 34, 19, 12, 8,
    15, 0, 37, 2, 75, 56, 30, 71, 78, 81, 38, 22, 58, 33, 36, 79, 48, 45, 77, 17, 53, 5, 46, 31, 9, 41, 91, 66, 98, 20,
    83, 35, 62, 59, 26, 1, 99, 61, 54, 4, 73,
  ],
};

test('shuffle(list(range(n))) with Random(10) equals CPython for several n', () => {
  for (const [n, expected] of Object.entries(SHUFFLED)) {
    const got = new CPythonRandom(10).shuffle(Array.from({ length: Number(n) }, (_, i) => i));
    assert.deepEqual(got, expected, `n = ${n}`);
  }
});

test('the ModelNet40 train list (9843) shuffles like CPython: head, the val/train boundary and tail', () => {
  const order = new CPythonRandom(10).shuffle(Array.from({ length: 9843 }, (_, i) => i));
  assert.deepEqual(
    order.slice(0, 20),
    [6397, 347, 4145, 8623, 7479, 9840, 4594, 6966, 1398, 2852, 7878, 4893, 8791, 6940, 2230, 9767, 2735, 6132, 5077, 3856],
  );
  assert.deepEqual(order.slice(1965, 1971), [7255, 1791, 1460, 2330, 8251, 6993]);
  assert.deepEqual(order.slice(-5), [9471, 7906, 7026, 533, 9361]);
});

test('referenceSplit(9843) has 1968 validation and 7875 train indices, disjoint and covering 0..9842', () => {
  const { train, val } = referenceSplit(9843);
  assert.equal(val.length, 1968);
  assert.equal(train.length, 7875);
  assert.deepEqual([...val].sort((a, b) => a - b).slice(0, 10), [0, 1, 5, 10, 11, 25, 27, 34, 48, 60]);
  const all = new Set([...train, ...val]);
  assert.equal(all.size, 9843);
  assert.equal(Math.min(...all), 0);
  assert.equal(Math.max(...all), 9842);
});

test('getrandbits(32) equals CPython for seeds 10, 0 and 2**40+5 (a two-word key)', () => {
  const draw = (seed: number | bigint, n: number) => {
    const r = new CPythonRandom(seed);
    return Array.from({ length: n }, () => Number(r.getrandbits(32)));
  };
  assert.deepEqual(draw(10, 6), [2454155475, 139951793, 1842064464, 2072586604, 2482883256, 63704871]);
  assert.deepEqual(draw(0, 3), [3626764237, 1654615998, 3255389356]);
  assert.deepEqual(draw(2n ** 40n + 5n, 3), [2166296868, 2220160828, 1153647273]);
  assert.deepEqual(draw(-10, 6), draw(10, 6), 'CPython seeds with abs(n)');
});

test('getrandbits(k) for k below, at and above 32 bits equals CPython', () => {
  const r = new CPythonRandom(10);
  assert.deepEqual(
    [1, 7, 31, 33, 64].map((k) => r.getrandbits(k)),
    [1n, 4n, 921032232n, 6367553900n, 3801841278808493863n],
  );
});

test('randbelow is randrange(n): rejection sampling equals CPython', () => {
  const r = new CPythonRandom(10);
  assert.deepEqual(Array.from({ length: 5 }, () => r.randbelow(1000)), [585, 33, 439, 494, 591]);
  assert.throws(() => r.randbelow(0), RangeError);
});
