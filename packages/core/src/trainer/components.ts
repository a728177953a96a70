import { UngreedyError } from '../errors.js';
import type { BuildModelOptions, MultiModalModel } from '../model/multimodal-model.js';

/** Deep-merges `defaults` under `options` (objects merge, arrays and scalars from `options` win). */
export function withDefaults<T>(defaults: T, options: unknown): T {
  if (!isPlainObject(defaults) || !isPlainObject(options)) return (options === undefined ? defaults : options) as T;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options)) out[k] = k in defaults ? withDefaults(defaults[k], v) : v;
  return out as T;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Placeholder until core's `buildModel` (model/build-model.ts) is merged; callers may pass their own builder. */
export function defaultBuildModel(_options: BuildModelOptions): MultiModalModel {
  throw new UngreedyError('UNG_ERR_UNKNOWN_COMPONENT', 'buildModel should be available, but model/build-model.ts is not merged yet.', {
    kind: 'model',
  });
}
