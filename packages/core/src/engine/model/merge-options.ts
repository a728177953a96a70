/**
 * Deep-merges `options` over `defaults` (plain objects merge key by key; arrays and scalars replace), so a
 * contribution's `create` gets every option even when the config was not defaulted.
 */
export function mergeOptions<T>(defaults: T, options: unknown): T {
  if (!isPlainObject(defaults) || !isPlainObject(options)) return (options === undefined ? defaults : options) as T;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options)) {
    out[k] = k in defaults ? mergeOptions((defaults as Record<string, unknown>)[k], v) : v;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
