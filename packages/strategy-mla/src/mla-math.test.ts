import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import { setupTestBackend } from '@ungreedy/core/testing';
import { entropyFuse, entropyFusionWeights, identityProjector, meanFeature, projectKernelGradient, projectorAlpha, updateProjector } from './mla-math.js';

// Faithfulness on hand-computed numbers (docs/mla.md).

before(setupTestBackend);

function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  Array.from(actual).forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `index ${i}: expected ${expected[i]}, but got ${a}`));
}

test('projector update: P − P h̄ h̄ᵀ P / (α + h̄ᵀ P h̄), then ‖P‖_F = 1', () => {
  // P = I, h̄ = [1, 0], α = 0.1: P = diag(1 − 1/1.1, 1) = diag(0.0909091, 1).
  close(updateProjector(identityProjector(2), [1, 0], 0.1, false), [1 - 1 / 1.1, 0, 0, 1]);
  // Normalised by sqrt(0.0909091² + 1) = 1.0041238.
  close(updateProjector(identityProjector(2), [1, 0], 0.1, true), [0.0905357, 0, 0, 0.9958932]);
  // α = 0: the exact orthogonal projector onto h̄⊥, P h̄ = 0.
  const p = updateProjector(identityProjector(2), [1, 1], 0, false);
  close(p, [0.5, -0.5, -0.5, 0.5]);
});

test('projected kernel gradient ∇K ← P ∇K removes the component along earlier mean features', () => {
  const p = Float64Array.from([0.5, -0.5, -0.5, 0.5]);
  close(projectKernelGradient(p, [2, 0], 2, 1), [1, -1]);
  // Two classes: each column projected.
  close(projectKernelGradient(p, [2, 4, 0, 4], 2, 2), [1, 0, -1, 0]);
  close(meanFeature([1, 2, 3, 6], 2, 2), [2, 4]);
});

test('the regulariser decays from base to base² over an epoch', () => {
  close([projectorAlpha(0.1, 0, 10), projectorAlpha(0.1, 5, 10)], [0.1, 0.0316228]);
});

test('entropy fusion: λ = softmax(−entropy) per sample; the certain head weighs more', () => {
  // Head 0 = [0, 0]: entropy ln 2; head 1 = [ln 3, 0]: p = [3/4, 1/4], entropy 0.5623351.
  // λ_0 = 1 / (1 + exp(ln 2 − 0.5623351)) = 0.4673435, λ_1 = 0.5326565, fused = [λ_1 ln 3, 0].
  const heads = [tf.tensor2d([[0, 0], [5, 0]]), tf.tensor2d([[Math.log(3), 0], [5, 0]])];
  const w = entropyFusionWeights(heads);
  close(w.dataSync(), [0.4673435, 0.5326565, 0.5, 0.5], 1e-5);
  const fused = entropyFuse(heads);
  close(fused.dataSync(), [0.5851829, 0, 5, 0], 1e-5);
  tf.dispose([...heads, w, fused]);
});
