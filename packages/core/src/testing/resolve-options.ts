import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { UngreedyError } from '../errors.js';
import type { ContributionMeta } from '../plugin/manifest.js';
import type { JsonSchema } from '../util/json.js';

/** One schema violation: the JSON pointer inside the options object, the rule broken and the bad value. */
export interface OptionIssue {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
  readonly value: unknown;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Compiles a contribution's options schema (strict mode: unknown keywords fail), once per schema object.
 * Throws Ajv's own error when the schema is malformed.
 */
export function compileOptionsSchema(schema: JsonSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Resolves a component's options the way core does before `create` (STYLE.md H5): deep-merges
 * `defaultOptions` under `options` (objects merge, arrays and scalars replace) and validates the result.
 * Throws `UNG_ERR_CONFIG_INVALID` with `data: { component, issues: OptionIssue[] }`.
 */
export function resolveOptions<O>(component: string, meta: ContributionMeta<O>, options: unknown): O {
  const merged = deepMerge(meta.defaultOptions, options);
  const validate = compileOptionsSchema(meta.schema);
  if (!validate(merged)) {
    const issues = (validate.errors ?? []).map((e) => toIssue(e, merged));
    const lines = issues.map((i) => `  ${i.path || '/'}: ${i.message}, but got ${JSON.stringify(i.value)}.`);
    throw new UngreedyError(
      'UNG_ERR_CONFIG_INVALID',
      `options of "${component}" must match its schema, but got ${issues.length} problem(s):\n${lines.join('\n')}\nFix the options in the config.`,
      { component, issues },
    );
  }
  return merged as O;
}

/** Objects merge key by key; arrays and scalars in `over` replace those in `under`. */
export function deepMerge(under: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(under);
  if (isPlainObject(under) && isPlainObject(over)) {
    const out: Record<string, unknown> = structuredClone(under);
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return structuredClone(over);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toIssue(e: ErrorObject, root: unknown): OptionIssue {
  // additionalProperties errors point at the parent; name the unexpected key itself.
  const extra = e.keyword === 'additionalProperties' ? `/${String(e.params['additionalProperty'])}` : '';
  const path = e.instancePath + extra;
  return { path, keyword: e.keyword, message: e.message ?? e.keyword, value: valueAt(root, path) };
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    v = isPlainObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}
