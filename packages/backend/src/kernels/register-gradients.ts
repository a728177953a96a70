import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

// tfjs-core's CommonJS bundle (what Node loads for '@tensorflow/tfjs-core') registers no gradients; only its
// ES-module files do (dist/register_all_gradients.js), through extension-less relative imports that Node's ESM
// resolver rejects. This resolve hook adds the extension for imports made from those files only. The gradient
// registry and the engine are global to the process, so the CommonJS engine sees what the ES modules register.
const HOOK = `
export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
  return next(specifier, context);
}`;

let pending: Promise<void> | undefined;

/**
 * Registers every tfjs-core gradient (idempotent). Without it `tf.grads` fails with "gradient function not
 * found for Sum" in Node. Backend selection, the gradient-check suite and the benchmark call it.
 */
export function ensureGradients(): Promise<void> {
  pending ??= (async () => {
    if (tf.getGradient('Sum') !== undefined) return;
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return pending;
}
