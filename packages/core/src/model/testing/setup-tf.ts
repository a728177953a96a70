import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '../../backend/kernels/register-gradients.js';

/** The cpu backend with every gradient registered: the oracle the model tests run on. */
export async function setupCpu(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
}
