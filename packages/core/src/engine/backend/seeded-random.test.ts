import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '@ungreedy/backend/gradient-check';
import { Rng } from '../../contract/rng/rng.js';

// @ungreedy/backend may not import core, so its gradient-check suite draws its inputs from a generator of its own
// that promises the numbers of core's Rng (packages/backend/src/kernels/seeded-random.ts): the suite's data must not
// change with the package they live in. This checks the promise.
test("the backend's SeededRandom draws the same normals and permutations as Rng.fromSeed", () => {
  for (const [seed, label] of [[1, 'kernels/conv2d 3x3 s1 same'], [7, 'kernels/relu and sigmoid/dy'], [11, 'kernels/x/v/w'], [0, '']] as const) {
    const ours = new SeededRandom(seed, label);
    const core = Rng.fromSeed(seed, label);
    assert.deepEqual(ours.fillNormal(new Float32Array(257)), core.fillNormal(new Float32Array(257)), `normals for ${seed}, "${label}"`);
    assert.deepEqual(ours.permutation(100), core.permutation(100), `permutation for ${seed}, "${label}"`);
    assert.equal(ours.normal(), core.normal(), `the spare after an odd count for ${seed}, "${label}"`);
  }
});
