import { compileSchema } from '../../engine/config/ajv.js';
import type { JsonSchema } from '../../contract/util/json.js';

/**
 * JSON Schemas of what `report` and `compare` read from a run folder (run/metric-records.ts): the fields they
 * use, with their types. Unknown fields are allowed (a newer core may add some). A metric that was NaN or
 * infinite is written as null by JSON, so metric values are `number | null`; counters are integers.
 */
const num = { type: ['number', 'null'] } as const;
const nums = { type: 'array', items: num } as const;
const int = { type: 'integer', minimum: 0 } as const;
const error = { anyOf: [{ type: 'null' }, { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } }] } as const;
const split = { type: 'object', required: ['loss', 'acc'], properties: { loss: num, acc: num, accHeads: nums, samples: int } } as const;
const splitOrNull = { anyOf: [{ type: 'null' }, split] } as const;

const utilization = {
  type: 'object',
  required: ['type', 'u', 'dUtil'],
  properties: { type: { const: 'utilization' }, epoch: int, acc: num, accHeads: nums, accHeadsAblated: nums, u: nums, dUtil: num },
} as const;

export const METRIC_RECORD_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      type: 'object',
      required: ['type', 'epoch'],
      properties: { type: { const: 'epoch' }, epoch: int, lr: num, train: splitOrNull, val: splitOrNull, test: splitOrNull, seconds: num },
    },
    {
      type: 'object',
      required: ['type', 'step', 'epoch', 'loss'],
      properties: { type: { const: 'step' }, step: int, epoch: int, loss: num, s: nums, dSpeed: num },
    },
    utilization,
  ],
};

export const RUN_SUMMARY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['status', 'modalities', 'test'],
  properties: {
    status: { enum: ['completed', 'failed'] },
    seed: int,
    strategy: { type: 'string' },
    modalities: { type: 'array', items: int },
    modalityNames: { type: 'array', items: { type: 'string' } },
    epochs: int,
    test: { anyOf: [{ type: 'null' }, { type: 'object', required: ['acc'], properties: { acc: num, accHeads: nums } }] },
    utilization: { anyOf: [{ type: 'null' }, utilization] },
    error,
    seconds: num,
  },
};

export const RUN_MANIFEST_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { enum: ['running', 'completed', 'failed', 'interrupted'] },
    startedAt: { type: 'string' },
    endedAt: { type: ['string', 'null'] },
    seed: int,
    error,
  },
};

/** Where a record breaks its schema, as `/field: must be number,null, but got "4957"`; undefined if it fits. */
export function recordProblem(schema: JsonSchema, value: unknown): string | undefined {
  const validate = compileSchema(schema);
  if (validate(value)) return undefined;
  // Inside anyOf / oneOf, the deepest error is the one that names the bad field.
  const e = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (e === undefined) return 'does not fit its schema';
  const shown = e.data === undefined ? '' : `, but got ${JSON.stringify(e.data)?.slice(0, 60)}`;
  return `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}${shown}`;
}
