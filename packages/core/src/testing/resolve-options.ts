import { Ajv2020 } from 'ajv/dist/2020.js';
import { compileSchema } from '../config/ajv.js';
import { configInvalidError } from '../config/format-issues.js';
import { issuesFromAjv } from '../config/validate-config.js';
import type { ContributionMeta } from '../plugin/manifest.js';
import { deepMerge } from '../util/deep-merge.js';
import type { JsonSchema } from '../util/json.js';

/**
 * Resolves a component's options exactly as config validation does before `create` (STYLE.md H5): deep-merges
 * `defaultOptions` under `options` and validates the result with core's Ajv. Throws `UNG_ERR_CONFIG_INVALID`
 * with `data: { file, issues }`, each issue's `pointer` under `pointer` (e.g. `/strategy/options`).
 *
 * @example
 * const options = resolveOptions('guided', guided.meta, { threshold: 0.05 });
 * const strategy = guided.create(options, { numModalities: 2, log });
 */
export function resolveOptions<O>(component: string, meta: ContributionMeta<O>, options: unknown, pointer = ''): O {
  const merged = deepMerge(meta.defaultOptions, options ?? {});
  const validate = compileSchema(meta.schema);
  if (!validate(merged)) throw configInvalidError(`<options of "${component}">`, issuesFromAjv(validate.errors ?? [], pointer));
  return merged as O;
}

// Keywords editors read that Ajv does not know; everything else unknown is probably a typo.
const EDITOR_KEYWORDS = ['markdownDescription', 'deprecationMessage', 'errorMessage'];
let strictAjv: Ajv2020 | undefined;

/**
 * Problems core's lenient validator lets through: unknown keywords (a typo such as `minimun` silently drops the
 * constraint) and other strict-mode findings. Returns Ajv's message, or null when the schema is clean.
 */
export function strictSchemaProblem(schema: JsonSchema): string | null {
  strictAjv ??= new Ajv2020({ strict: true, allErrors: true, keywords: EDITOR_KEYWORDS });
  try {
    const { $schema: _declared, ...rest } = schema;
    strictAjv.compile(rest);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
