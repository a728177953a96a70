import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import type { ComponentKind } from '../../contract/plugin/manifest.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonSchema } from '../../contract/util/json.js';
import { deepMerge, isPlainObject, withDefaultOptions } from '../util/deep-merge.js';
import type { ExperimentConfig } from './experiment-config.js';
import { compileSchema } from './ajv.js';
import { applySchemaDefaults } from './apply-schema-defaults.js';
import { encoderCountIssue } from './check-against-dataset.js';
import { didYouMean } from '../util/did-you-mean.js';
import { configInvalidError, pointerSegment, showValue, type ConfigIssue } from './format-issues.js';

let coreSchema: JsonSchema | undefined;

/** The published core schema (`schema/config.schema.json`), the source of truth for defaults and docs. */
export function getCoreSchema(): JsonSchema {
  // src/config/ and dist/config/ are both two levels below the package root, where schema/ lives.
  coreSchema ??= JSON.parse(readFileSync(new URL('../../../schema/config.schema.json', import.meta.url), 'utf8')) as JsonSchema;
  return coreSchema;
}

/**
 * Phase 1, before any plugin is loaded: a deep copy of `raw` with the core schema's defaults applied, and
 * every issue against the core schema. Needed first because the config's own `plugins` list says what to load.
 */
export function checkCoreConfig(raw: unknown): { config: Record<string, unknown>; issues: ConfigIssue[] } {
  const schema = getCoreSchema();
  if (!isPlainObject(raw)) {
    return { config: {}, issues: [{ pointer: '', message: `must be an object with "dataset" and "model", but got ${showValue(raw)}`, value: raw }] };
  }
  const config = applySchemaDefaults(schema, deepMerge({}, raw)) as Record<string, unknown>;
  const validate = compileSchema(schema);
  const issues = validate(config) ? [] : issuesFromAjv(validate.errors ?? [], '');
  const model = config['model'];
  if (isPlainObject(model) && Array.isArray(model['modalities'])) {
    const issue = encoderCountIssue(model, model['modalities'].length);
    if (issue !== undefined) issues.push(issue);
  }
  return { config, issues };
}

const CHOICES: readonly { kind: Exclude<ComponentKind, 'commands'>; noun: string; at: (c: Record<string, unknown>) => [string, unknown][] }[] = [
  { kind: 'datasets', noun: 'dataset', at: (c) => [['/dataset', c['dataset']]] },
  {
    kind: 'encoders',
    noun: 'encoder',
    at: (c) => {
      const encoders = isPlainObject(c['model']) ? c['model']['encoders'] : undefined;
      return Array.isArray(encoders) ? encoders.map((e, i): [string, unknown] => [`/model/encoders/${i}`, e]) : [];
    },
  },
  { kind: 'fusions', noun: 'fusion block', at: (c) => [['/model/fusion', isPlainObject(c['model']) ? c['model']['fusion'] : undefined]] },
  { kind: 'strategies', noun: 'strategy', at: (c) => [['/strategy', c['strategy']]] },
  // A compare config's `executor` (an experiment config has none).
  { kind: 'executors', noun: 'executor', at: (c) => (c['executor'] === undefined ? [] : [['/executor', c['executor']]]) },
];

/**
 * Phase 2: resolves every `{ use, options }` in the registry and validates its options, the contribution's
 * `defaultOptions` deep-merged underneath (the merged options replace the user's, in place). Issues of all
 * components are returned together. A contribution whose schema does not compile is a broken plugin
 * (UNG_ERR_PLUGIN_INVALID), not a config issue.
 */
export function checkComponents(config: Record<string, unknown>, registry: PluginRegistry): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { kind, noun, at } of CHOICES) {
    for (const [pointer, choice] of at(config)) {
      if (!isPlainObject(choice) || typeof choice['use'] !== 'string') continue; // already a core issue
      const id = choice['use'];
      const found = registry.find(kind, id);
      if (found === undefined) {
        const known = registry.ids(kind);
        const suggestion = didYouMean(id, known);
        issues.push({
          pointer: `${pointer}/use`,
          message: `unknown ${noun} "${id}"` + (suggestion === undefined ? ` (known: ${known.join(', ') || 'none; add a plugin to "plugins"'})` : ''),
          value: id,
          ...(suggestion === undefined ? {} : { suggestion }),
        });
        continue;
      }
      const { meta } = found.contribution;
      let validate;
      try {
        validate = compileSchema(meta.schema);
      } catch (cause) {
        throw new UngreedyError(
          'UNG_ERR_PLUGIN_INVALID',
          `plugin "${found.plugin.manifest.meta.name}" field ${kind}.${id}.meta.schema must be a valid JSON Schema, but Ajv refused it. Fix the plugin.`,
          { plugin: found.plugin.manifest.meta.name, field: `${kind}.${id}.meta.schema` },
          { cause },
        );
      }
      const user = isPlainObject(choice['options']) ? choice['options'] : {};
      const merged = withDefaultOptions(meta.defaultOptions, user);
      if (!validate(merged)) issues.push(...issuesFromAjv(validate.errors ?? [], `${pointer}/options`));
      choice['options'] = merged as Record<string, unknown>;
    }
  }
  return issues;
}

/**
 * Validates a whole config: core schema, then every component against the registry, reporting ALL issues
 * in one UNG_ERR_CONFIG_INVALID (`data: { file, issues }`). Returns the resolved config (defaults applied).
 *
 * @example
 * const config = validateConfig(JSON.parse(text), { registry, file: 'experiments/cmnist.json' });
 */
export function validateConfig(raw: unknown, options: { registry: PluginRegistry; file: string }): ExperimentConfig {
  const { config, issues } = checkCoreConfig(raw);
  issues.push(...checkComponents(config, options.registry));
  if (issues.length > 0) throw configInvalidError(options.file, issues);
  return config as unknown as ExperimentConfig;
}

/** Turns Ajv errors into issues: one per problem, with the bad value and did-you-mean where it helps. */
export function issuesFromAjv(errors: readonly ErrorObject[], prefix: string): ConfigIssue[] {
  // An anyOf failure also reports each alternative's failure at the same place; keep only the anyOf line.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const kept = errors.filter((e) => e.keyword === 'anyOf' || !anyOfPaths.some((p) => e.schemaPath.startsWith(p)));
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const issue = issueFromAjv(e, prefix);
    const key = `${issue.pointer}\n${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function issueFromAjv(e: ErrorObject, prefix: string): ConfigIssue {
  const at = prefix + e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const props = isPlainObject(e.parentSchema) && isPlainObject(e.parentSchema['properties']) ? Object.keys(e.parentSchema['properties']) : [];
      const suggestion = didYouMean(key, props);
      return {
        pointer: `${at}/${pointerSegment(key)}`,
        message: suggestion === undefined ? `is not a known key (known: ${props.join(', ') || 'none'})` : 'is not a known key',
        value: isPlainObject(e.data) ? e.data[key] : undefined,
        ...(suggestion === undefined ? {} : { suggestion }),
      };
    }
    case 'required':
      return { pointer: `${at}/${pointerSegment(String(params['missingProperty']))}`, message: 'is required, but it is missing' };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]) ?? [];
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      return {
        pointer: at,
        message: `must be one of ${allowed.map((v) => showValue(v)).join(', ')}, but got ${showValue(e.data)}`,
        value: e.data,
        ...(suggestion === undefined ? {} : { suggestion }),
      };
    }
    case 'discriminator': {
      const tag = String(params['tag']);
      const branches = isPlainObject(e.parentSchema) && Array.isArray(e.parentSchema['oneOf']) ? e.parentSchema['oneOf'] : [];
      const allowed = branches
        .map((b: unknown) => (isPlainObject(b) && isPlainObject(b['properties']) && isPlainObject(b['properties'][tag]) ? b['properties'][tag]['const'] : undefined))
        .filter((v): v is string => typeof v === 'string');
      const value = params['tagValue'] ?? (isPlainObject(e.data) ? e.data[tag] : undefined);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return {
        pointer: `${at}/${pointerSegment(tag)}`,
        message: `must be one of ${allowed.map((v) => showValue(v)).join(', ')}, but got ${showValue(value)}`,
        value,
        ...(suggestion === undefined ? {} : { suggestion }),
      };
    }
    case 'anyOf': {
      const alts = isPlainObject(e.parentSchema) && Array.isArray(e.parentSchema['anyOf']) ? e.parentSchema['anyOf'] : [];
      const kinds = alts.map((a: unknown) => (isPlainObject(a) ? describeSchema(a) : 'a value'));
      return { pointer: at, message: `must be ${kinds.join(' or ')}, but got ${showValue(e.data)}`, value: e.data };
    }
    default:
      return { pointer: at, message: `${e.message ?? 'is invalid'}, but got ${showValue(e.data)}`, value: e.data };
  }
}

function describeSchema(s: Record<string, unknown>): string {
  if (s['type'] === 'null') return 'null';
  if (s['type'] === 'array') return 'an array';
  if (s['type'] === 'object') return 'an object';
  if (typeof s['type'] === 'string') return `a ${s['type']}`;
  return 'a value';
}
