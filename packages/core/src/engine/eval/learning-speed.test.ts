import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupNorm } from '../../contract/strategy/balancing-strategy.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import { groupRatio, LearningSpeedProbe, spread } from './learning-speed.js';

const norms = (entries: [ParamGroupId, number, number][]): Map<ParamGroupId, GroupNorm> =>
  new Map(entries.map(([g, gradSq, weightSq]) => [g, { gradSq, weightSq }]));

test('spec 9.7: μ is a ratio of group sums, not a sum of per-group ratios', () => {
  const n = norms([
    ['branch/0', 1, 4],
    ['head/0', 3, 4],
  ]);
  assert.equal(groupRatio(n, ['branch/0', 'head/0']), 4 / 8);
  assert.notEqual(groupRatio(n, ['branch/0', 'head/0']), 1 / 4 + 3 / 4);
});

test('spec 9.7: the shared fusion parameters count in both bypass groups; d = log10(Mb0/Mm0) − log10(Mb1/Mm1)', () => {
  const probe = new LearningSpeedProbe(2, 10);
  const n = norms([
    ['branch/0', 2, 10],
    ['head/0', 0, 10],
    ['branch/1', 1, 5],
    ['head/1', 1, 5],
    ['fusion/0', 3, 1],
    ['fusion/1', 1, 1],
    ['fusion/shared', 1, 1],
  ]);
  const s1 = probe.update(n, true);
  assert.deepEqual(s1.step.main, [2 / 20, 2 / 10]);
  assert.deepEqual(s1.step.bypass, [4 / 2, 2 / 2]);
  const s2 = probe.update(n, true);
  const mb0 = 2 * 2;
  const mm0 = 2 * 0.1;
  const mb1 = 2 * 1;
  const mm1 = 2 * 0.2;
  assert.ok(Math.abs(s2.s[0]! - Math.log10(mb0 / mm0)) < 1e-12);
  assert.ok(Math.abs(s2.s[1]! - Math.log10(mb1 / mm1)) < 1e-12);
  assert.ok(Math.abs(s2.dSpeed - (Math.log10(mb0 / mm0) - Math.log10(mb1 / mm1))) < 1e-12);
  // Here d > ε = 0.01, so guided would help modality 0.
  assert.ok(s2.dSpeed > 0.01);
});

test('uncounted (re-balancing) steps report their μ but leave the totals unchanged', () => {
  const probe = new LearningSpeedProbe(2, 10);
  const n = norms([
    ['branch/0', 1, 1],
    ['branch/1', 1, 1],
    ['fusion/0', 1, 1],
    ['fusion/1', 1, 1],
  ]);
  probe.update(n, true);
  const before = probe.stateDict();
  const s = probe.update(n, false);
  assert.equal(s.counted, false);
  assert.deepEqual(s.step.main, [1, 1]);
  assert.deepEqual(probe.stateDict(), before);
});

test('s is NaN until both totals are positive, and the log base is an option', () => {
  const probe = new LearningSpeedProbe(2, Math.E);
  const s0 = probe.update(norms([['branch/0', 1, 1]]), true);
  assert.ok(Number.isNaN(s0.s[0]!));
  assert.ok(Number.isNaN(s0.dSpeed));
  const s1 = probe.update(
    norms([
      ['branch/0', 1, 1],
      ['fusion/0', 2, 1],
      ['branch/1', 1, 1],
      ['fusion/1', 1, 1],
    ]),
    true,
  );
  assert.ok(Math.abs(s1.s[0]! - Math.log(2 / 2)) < 1e-12);
  assert.ok(Math.abs(s1.s[1]! - Math.log(1 / 1)) < 1e-12);
});

test('for more than two modalities the spread is max − min', () => {
  assert.equal(spread([0.5, -1, 2]), 3);
  assert.equal(spread([0.5, -1]), 1.5);
  assert.ok(Number.isNaN(spread([1])));
});
