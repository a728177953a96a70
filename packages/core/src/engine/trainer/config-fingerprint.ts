import { createHash } from 'node:crypto';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonValue } from '../../contract/util/json.js';
import { readCheckpointState } from './checkpoint.js';

/**
 * The part of a resolved config that decides a run's numbers, in canonical form (keys sorted): everything but
 * `backend`, which `run --resume --backend` may change (docs/checkpoints.md). Checkpoints keep it and its hash,
 * so a resume with an edited `config.resolved.json` is refused instead of silently giving other results.
 */
export function configFingerprint(config: ExperimentConfig): { hash: string; canonical: JsonValue } {
  const { backend: _backend, ...rest } = config as unknown as Record<string, JsonValue>;
  const canonical = canonicalize(rest as JsonValue);
  return { hash: createHash('sha256').update(JSON.stringify(canonical)).digest('hex'), canonical };
}

function canonicalize(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, JsonValue | undefined>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out;
  }
  return value;
}

/** JSON pointers of the fields where `a` and `b` differ (a field present in one only counts). */
export function differingFields(a: JsonValue | undefined, b: JsonValue | undefined, pointer = ''): string[] {
  const isObject = (v: JsonValue | undefined): v is Record<string, JsonValue> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingFields(a[k], b[k], `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => differingFields(x, b[i], `${pointer}/${i}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [pointer || '/'];
}

/**
 * Resume is exact or refused: a checkpoint written with another config (seed, split sizes, epochs, … edited in
 * `config.resolved.json` since) is UNG_ERR_CHECKPOINT_MISMATCH, naming the fields that differ. Checkpoints from
 * before the fingerprint existed carry none and are not checked. (`trainRun` itself does not check: the
 * conformance kit resumes a run with more epochs on purpose.)
 */
export function refuseChangedConfig(dir: string, config: ExperimentConfig): void {
  const fingerprint = configFingerprint(config);
  const context = readCheckpointState(dir)['context'] as { configHash?: unknown; config?: JsonValue } | undefined;
  if (typeof context?.configHash !== 'string' || context.configHash === fingerprint.hash) return;
  const fields = differingFields(context.config, fingerprint.canonical);
  throw new UngreedyError(
    'UNG_ERR_CHECKPOINT_MISMATCH',
    `the run's config.resolved.json should be the config its checkpoint was written with, but ${fields.length > 0 ? fields.join(', ') : 'it'} differ${fields.length === 1 ? 's' : ''}. ` +
      'A resume continues the same run exactly: undo the edit, or start a new run with the changed config.',
    { dir, reason: 'config', fields },
  );
}
