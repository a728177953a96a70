import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The one Ajv factory (ESLint's `shared/ajv.js`): every error (`allErrors`), with the failing data and
 * schema attached (`verbose`) so issues can show the bad value and suggest allowed keys. Defaults are not
 * applied by Ajv (it ignores them inside oneOf); `applySchemaDefaults` does that first.
 * Non-strict: a plugin's schema may carry editor keywords (`markdownDescription`) that Ajv doesn't know.
 */
function createAjv(draft: '07' | '2020'): Ajv {
  // strictNumbers: NaN and ±Infinity (YAML `.inf`, `.nan`) fail every `number` and `integer` schema; non-strict
  // mode would otherwise let them through.
  const options = { allErrors: true, verbose: true, strict: false, strictNumbers: true, discriminator: true } as const;
  return draft === '2020' ? new Ajv2020(options) : new Ajv(options);
}

let draft07: Ajv | undefined;
let draft2020: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** A cached validator for `schema` (draft-07 unless the schema declares 2020-12 in `$schema`). */
export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const declared = (schema as { $schema?: unknown }).$schema;
    const ajv = typeof declared === 'string' && declared.includes('2020-12')
      ? (draft2020 ??= createAjv('2020'))
      : (draft07 ??= createAjv('07'));
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

export type { ErrorObject };
