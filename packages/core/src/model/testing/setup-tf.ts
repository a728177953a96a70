import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// tfjs-core's CommonJS bundle (what Node loads) registers no gradients; only its ES-module sources do,
// through extension-less relative imports that Node cannot resolve. Until the backend setup registers
// gradients for the whole project, model tests load them with a resolve hook that adds the extension.
const HOOK = `
export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
  return next(specifier, context);
}`;

/** The cpu backend with every gradient registered: the oracle the model tests run on. */
export async function setupCpu(): Promise<void> {
  if (tf.getGradient('Sum') === undefined) {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  }
  await tf.setBackend('cpu');
}
