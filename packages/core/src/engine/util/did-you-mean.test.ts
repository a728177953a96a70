import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance } from './did-you-mean.js';

test('edit distance counts insertions, deletions, substitutions and transpositions as one', () => {
  assert.equal(editDistance('guided', 'guided'), 0);
  assert.equal(editDistance('guidd', 'guided'), 1);
  assert.equal(editDistance('gudied', 'guided'), 1);
  assert.equal(editDistance('rubi', 'random'), 5);
  assert.equal(editDistance('', 'abc'), 3);
});

test('didYouMean picks the nearest close candidate, case-insensitively, or nothing', () => {
  const ids = ['colored-mnist', 'modelnet40', 'nvgesture'];
  assert.equal(didYouMean('colored-mnst', ids), 'colored-mnist');
  assert.equal(didYouMean('ModelNet40', ids), 'modelnet40');
  assert.equal(didYouMean('nvgesutre', ids), 'nvgesture');
  assert.equal(didYouMean('imagenet', ids), undefined);
  assert.equal(didYouMean('guide', ['guided', 'random']), 'guided');
  assert.equal(didYouMean('x', []), undefined);
});
