import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bypassGroups, mainGroups, rebalanceUpdateMask } from './param-group.js';

test('θ_k is the branch and its head; θ\'_k is the fusion into k plus the shared fusion (docs/method.md#parameter-groups)', () => {
  assert.deepEqual(mainGroups(1), ['branch/1', 'head/1']);
  assert.deepEqual(bypassGroups(0), ['fusion/0', 'fusion/shared']);
});

test('rebalanceUpdateMask: all groups for `all` and for regular steps; θ_k + θ\'_k for helped-branch re-balancing', () => {
  assert.equal(rebalanceUpdateMask({ kind: 'rebalance', modality: 0 }, 'all'), undefined);
  assert.equal(rebalanceUpdateMask({ kind: 'regular' }, 'helped-branch'), undefined);
  assert.deepEqual([...rebalanceUpdateMask({ kind: 'rebalance', modality: 1 }, 'helped-branch')!].sort(), [
    'branch/1',
    'fusion/1',
    'fusion/shared',
    'head/1',
  ]);
});
