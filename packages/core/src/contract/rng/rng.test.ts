import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, RngStreams } from './rng.js';

test('the same seed and purpose give the same stream', () => {
  const a = Rng.fromSeed(42, 'init');
  const b = Rng.fromSeed(42, 'init');
  const xs = Array.from({ length: 100 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.nextUint32()));
});

test('different purposes and seeds give different streams', () => {
  const x = Rng.fromSeed(42, 'init').nextUint32();
  assert.notEqual(x, Rng.fromSeed(42, 'shuffle').nextUint32());
  assert.notEqual(x, Rng.fromSeed(43, 'init').nextUint32());
});

test('next() is in [0, 1) with mean near 1/2, normal() has mean 0 and std 1', () => {
  const r = Rng.fromSeed(1);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const v = r.next();
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  let m = 0;
  let sq = 0;
  for (let i = 0; i < 20000; i++) {
    const v = r.normal();
    m += v;
    sq += v * v;
  }
  assert.ok(Math.abs(m / 20000) < 0.03);
  assert.ok(Math.abs(Math.sqrt(sq / 20000) - 1) < 0.03);
});

test('int(n) covers [0, n) uniformly and rejects bad n', () => {
  const r = Rng.fromSeed(3);
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[r.int(3)]!++;
  for (const c of counts) assert.ok(c > 900 && c < 1100, `count ${c}`);
  assert.throws(() => r.int(0), RangeError);
});

test('permutation is a permutation', () => {
  const p = Rng.fromSeed(5).permutation(50);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

test('state round trip continues the stream exactly, including a cached normal', () => {
  const r = Rng.fromSeed(9, 'augment');
  r.normal();
  const saved = JSON.parse(JSON.stringify(r.state()));
  const expected = [r.normal(), r.next(), r.int(1000)];
  const restored = Rng.fromState(saved);
  assert.deepEqual([restored.normal(), restored.next(), restored.int(1000)], expected);
});

test('RngStreams saves and restores every purpose', () => {
  const s = new RngStreams(11);
  s.get('init').next();
  s.get('shuffle').next();
  const state = JSON.parse(JSON.stringify(s.stateDict()));
  const expected = [s.get('init').next(), s.get('shuffle').next()];
  const t = new RngStreams(11);
  t.loadStateDict(state);
  assert.deepEqual([t.get('init').next(), t.get('shuffle').next()], expected);
});
