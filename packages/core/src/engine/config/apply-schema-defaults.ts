import type { JsonSchema } from '../../contract/util/json.js';
import { isPlainObject } from '../util/deep-merge.js';

/**
 * Fills absent properties with their schema `default`, recursively, in place: through `properties`,
 * array `items`, and a `oneOf` with a `discriminator` (the branch whose tag `const` matches; a missing tag
 * is taken from the node's own default, so `optimizer: { lr: 0.01 }` becomes an SGD config).
 * Values of the wrong type are left alone for the validator to report.
 */
export function applySchemaDefaults(schema: JsonSchema, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (isPlainObject(items)) value.forEach((item) => applySchemaDefaults(items, item));
    return value;
  }
  if (!isPlainObject(value)) return value;
  const discriminator = schema['discriminator'];
  const oneOf = schema['oneOf'];
  if (isPlainObject(discriminator) && typeof discriminator['propertyName'] === 'string' && Array.isArray(oneOf)) {
    const tag = discriminator['propertyName'];
    const fallback = isPlainObject(schema['default']) ? schema['default'][tag] : undefined;
    if (value[tag] === undefined && fallback !== undefined) value[tag] = fallback;
    const branch = oneOf.find((b: unknown) => {
      if (!isPlainObject(b) || !isPlainObject(b['properties'])) return false;
      const prop = b['properties'][tag];
      return isPlainObject(prop) && prop['const'] === value[tag];
    }) as JsonSchema | undefined;
    if (branch !== undefined) applySchemaDefaults(branch, value);
  }
  const properties = schema['properties'];
  if (isPlainObject(properties)) {
    for (const [key, sub] of Object.entries(properties)) {
      if (!isPlainObject(sub)) continue;
      if (value[key] === undefined && 'default' in sub) value[key] = structuredClone(sub['default']);
      if (value[key] !== undefined) applySchemaDefaults(sub, value[key]);
    }
  }
  return value;
}
