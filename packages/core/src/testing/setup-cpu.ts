import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// tfjs-core's CommonJS bundle (what Node loads) registers no gradients; only its ES-module sources do, through
// extension-less relative imports that Node cannot resolve. This resolve hook adds the extension for those
// files only. Gradients live in a registry global to the process, so the CommonJS engine sees them.
const HOOK = `
export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
  return next(specifier, context);
}`;

/**
 * Selects the `cpu` backend (the numerically trusted oracle, shared/reference/backends.md) with every gradient
 * registered. Idempotent; call it in a `before` hook of any test that trains or differentiates.
 */
export async function setupCpu(): Promise<void> {
  if (tf.getGradient('Sum') === undefined) {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  }
  await tf.setBackend('cpu');
}
