import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import { setupTestBackend } from '@ungreedy/core/testing';
import { PrototypeAccumulator, prototypeCoefficients, prototypeCrossEntropy, prototypeEntropy, prototypeLogits, prototypeScore } from './pmr-math.js';

// Faithfulness on hand-computed numbers (docs/pmr.md).

before(setupTestBackend);

function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  Array.from(actual).forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `index ${i}: expected ${expected[i]}, but got ${a}`));
}

test('prototypes: the mean feature per class; an empty class keeps zeros on the first pass', () => {
  const acc = new PrototypeAccumulator(3, 2);
  acc.add([1, 2, 3, 4], [0, 0]);
  acc.add([5, -1], [1]);
  const p = acc.finish(null, 0.2);
  close(p.values, [2, 3, 5, -1, 0, 0]);
  // Next epoch, momentum 0.2: class 0 = 0.8·[0, 0] + 0.2·[2, 3]; classes without samples keep their prototype.
  const next = new PrototypeAccumulator(3, 2);
  next.add([0, 0], [0]);
  close(next.finish(p, 0.2).values, [0.4, 0.6, 5, -1, 0, 0]);
});

test('prototype logits are −‖z − c‖₂; prototype CE, score and entropy', () => {
  const z = tf.tensor2d([[0, 0]]);
  const c = tf.tensor2d([[3, 4], [0, 1]]);
  const logits = prototypeLogits(z, c);
  close(logits.dataSync(), [-5, -1], 1e-5);
  const oneHot = tf.tensor2d([[0, 1]]);
  close([prototypeCrossEntropy(logits, oneHot).dataSync()[0]!], [Math.log(1 + Math.exp(-4))], 1e-5); // 0.0181499
  close([prototypeScore(logits, oneHot)], [1 / (1 + Math.exp(-4))], 1e-5); // 0.9820138
  close([prototypeEntropy(tf.tensor2d([[0, 0]])).dataSync()[0]!], [Math.LN2]);
  tf.dispose([z, c, logits, oneHot]);
});

test('coefficients: the paper\'s clip(ρ − 1, 0, 1) for the slower modality, 0 for the leading one', () => {
  close(prototypeCoefficients([6, 4]), [0, 0.5]); // ρ = 1.5
  close(prototypeCoefficients([2, 8]), [1, 0]); // ρ = 0.25: clip(1/ρ − 1) = clip(3) = 1
  close(prototypeCoefficients([5, 4.9]), [0, 5 / 4.9 - 1]);
  close(prototypeCoefficients([3, 3]), [0, 0]);
  close(prototypeCoefficients([3, 2, 1.5]), [0, 0.5, 1]);
});
