/**
 * Merges `override` over `base`: plain objects merge key by key, recursively; anything else in `override`
 * (arrays, primitives, null) replaces the base value. Neither input is modified; the result shares no
 * objects with them. This is how a contribution's `defaultOptions` sit under the user's options (STYLE.md H5).
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return clone(base);
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(base)) out[key] = clone(base[key]);
    for (const [key, value] of Object.entries(override)) out[key] = deepMerge(out[key], value);
    return out;
  }
  return clone(override);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/**
 * A contribution's options as its `create` gets them: `defaultOptions` with the user's options merged over them
 * ({@link deepMerge}). The one place a component's defaults are merged: `validateConfig` (the resolved config),
 * `buildModel`, the run's dataset and strategy factories (engine/assembly/assemble-run.ts) and the kits'
 * `resolveOptions`; on a resolved config the merge changes nothing.
 */
export function withDefaultOptions<O>(defaults: O, options: unknown): O {
  return deepMerge(defaults, options) as O;
}
