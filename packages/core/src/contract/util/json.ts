/** JSON values as they appear in configs, checkpoints and metric records. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A JSON Schema object (draft 2020-12 subset that Ajv accepts). Kept loose on purpose: Ajv checks it. */
export type JsonSchema = { [key: string]: unknown };
