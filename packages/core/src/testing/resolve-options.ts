import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchema } from '../engine/config/ajv.js';
import { configInvalidError } from '../engine/config/format-issues.js';
import type { ConfigIssue } from '../engine/config/format-issues.js';
import { issuesFromAjv } from '../engine/config/validate-config.js';
import type { ContributionMeta } from '../contract/plugin/manifest.js';
import { withDefaultOptions } from '../engine/util/deep-merge.js';
import type { JsonSchema } from '../contract/util/json.js';

/**
 * One problem in a component's options: config validation's issue (`pointer` in the config file, message, bad
 * value, suggestion) plus `path`, the JSON pointer inside the options object (`/threshold`).
 */
export interface OptionIssue extends ConfigIssue {
  readonly path: string;
}

// Keywords editors read that Ajv does not know; anything else unknown is probably a typo (`minimun`).
const EDITOR_KEYWORDS = ['markdownDescription', 'deprecationMessage', 'errorMessage'];
let strictAjv: Ajv2020 | undefined;
const strictValidators = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Compiles an options schema in Ajv's strict mode, once per schema object: stricter than config validation
 * (which tolerates unknown keywords), so a typo that would silently drop a constraint fails a plugin's tests.
 * Throws Ajv's error when the schema is malformed or not strict.
 */
export function compileOptionsSchema(schema: JsonSchema): ValidateFunction {
  let validate = strictValidators.get(schema);
  if (!validate) {
    strictAjv ??= new Ajv2020({ strict: true, allErrors: true, keywords: EDITOR_KEYWORDS });
    const { $schema: _declared, ...rest } = schema;
    validate = strictAjv.compile(rest);
    strictValidators.set(schema, validate);
  }
  return validate;
}

/** Ajv's strict-mode complaint about a schema, or null when it compiles strictly ({@link compileOptionsSchema}). */
export function strictSchemaProblem(schema: JsonSchema): string | null {
  try {
    compileOptionsSchema(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Resolves a component's options as config validation does before `create` (STYLE.md H5): deep-merges
 * `defaultOptions` under `options` and validates the result with core's validator, after checking that the schema
 * compiles strictly. Throws `UNG_ERR_CONFIG_INVALID` with `data: { file, issues: OptionIssue[] }`; each issue's
 * `pointer` is `pointer` (e.g. `/strategy/options`) + its `path`.
 *
 * @example
 * const options = resolveOptions('guided', guided.meta, { threshold: 0.05 });
 * const strategy = guided.create(options, { numModalities: 2, log });
 */
export function resolveOptions<O>(component: string, meta: ContributionMeta<O>, options: unknown, pointer = ''): O {
  compileOptionsSchema(meta.schema);
  const merged = withDefaultOptions(meta.defaultOptions, options ?? {});
  const validate = compileSchema(meta.schema);
  if (!validate(merged)) {
    const issues: OptionIssue[] = issuesFromAjv(validate.errors ?? [], '').map((i) => ({ ...i, path: i.pointer, pointer: pointer + i.pointer }));
    throw configInvalidError(`<options of "${component}">`, issues);
  }
  return merged as O;
}
