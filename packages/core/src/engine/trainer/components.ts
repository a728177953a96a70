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
