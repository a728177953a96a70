import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '../backend/kernels/register-gradients.js';

/**
 * Selects the `cpu` backend (the numerically trusted oracle, shared/reference/backends.md) with every gradient
 * registered. Idempotent; call it in a `before` hook of any test that trains or differentiates.
 */
export async function setupCpu(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
}
