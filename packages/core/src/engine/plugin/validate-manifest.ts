import semver from 'semver';
import { UngreedyError } from '../../contract/errors/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { isPlainObject } from '../util/deep-merge.js';
import { COMPONENT_KINDS, type PluginManifest } from '../../contract/plugin/manifest.js';

const TOP_LEVEL_KEYS = ['meta', ...COMPONENT_KINDS];
const META_KEYS = ['name', 'version', 'namespace', 'coreApi', 'dependencies'];

/**
 * Checks the shape of a plugin's default export without calling into it: identity fields first (so the
 * core range and dependencies can be checked before any contribution is touched, STYLE.md H4), then every
 * contribution's `{ meta: { docs, defaultOptions, schema }, create }`. Throws UNG_ERR_PLUGIN_INVALID naming
 * the first malformed field in `data.field`.
 */
export function validateManifest(value: unknown, source: string): PluginManifest {
  const fail = (plugin: string, field: string, expected: string, actual: unknown, hint = ''): never => {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `plugin ${JSON.stringify(plugin)} (${source}) field ${field} must be ${expected}, but got ${describe(actual)}.${hint} ` +
        'Fix: default-export definePlugin({ meta: { name, version, coreApi }, ... }) from the plugin.',
      { plugin, source, field },
    );
  };
  if (!isObject(value)) return fail(source, 'default export', 'a plugin manifest object', value);
  if (!isObject(value['meta'])) return fail(source, 'meta', 'an object', value['meta']);
  const meta = value['meta'];
  const name = meta['name'];
  if (typeof name !== 'string' || name.length === 0) return fail(source, 'meta.name', 'a non-empty string', name);
  if (typeof meta['version'] !== 'string' || semver.valid(meta['version']) === null) {
    fail(name, 'meta.version', 'a semver version such as "1.0.0"', meta['version']);
  }
  if (typeof meta['coreApi'] !== 'string') fail(name, 'meta.coreApi', 'a semver range such as "^2.0.0"', meta['coreApi']);
  if (meta['namespace'] !== undefined && typeof meta['namespace'] !== 'string') {
    fail(name, 'meta.namespace', 'a string', meta['namespace']);
  }
  const deps = meta['dependencies'];
  if (deps !== undefined && !(Array.isArray(deps) && deps.every((d) => typeof d === 'string'))) {
    fail(name, 'meta.dependencies', 'an array of plugin names', deps);
  }
  for (const key of Object.keys(meta)) {
    if (!META_KEYS.includes(key)) fail(name, `meta.${key}`, `absent (known keys: ${META_KEYS.join(', ')})`, meta[key], hint(key, META_KEYS));
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      fail(name, key, `absent (known keys: ${TOP_LEVEL_KEYS.join(', ')})`, value[key], hint(key, TOP_LEVEL_KEYS));
    }
  }
  for (const kind of COMPONENT_KINDS) {
    const map = value[kind];
    if (map === undefined) continue;
    if (!isObject(map)) fail(name, kind, 'an object mapping ids to contributions', map);
    for (const [id, contribution] of Object.entries(map as Record<string, unknown>)) {
      const at = `${kind}.${id}`;
      if (!/^[a-z0-9][a-z0-9._/-]*$/.test(id)) fail(name, at, 'keyed by a lower-case id (letters, digits, - . _ /)', id);
      if (!isObject(contribution)) {
        fail(name, at, 'an object { meta, create }', contribution);
        continue;
      }
      const cmeta = contribution['meta'];
      if (!isObject(cmeta)) fail(name, `${at}.meta`, 'an object', cmeta);
      const c = cmeta as Record<string, unknown>;
      const docs = c['docs'];
      if (!isObject(docs) || typeof docs['description'] !== 'string') {
        fail(name, `${at}.meta.docs.description`, 'a string', isObject(docs) ? docs['description'] : docs);
      }
      if (kind === 'commands') {
        if (typeof (docs as Record<string, unknown>)['usage'] !== 'string') {
          fail(name, `${at}.meta.docs.usage`, 'a string', (docs as Record<string, unknown>)['usage']);
        }
        if (!/^(prepare|make)\/[a-z0-9][a-z0-9._-]*$/.test(id)) fail(name, at, 'keyed "prepare/<name>" or "make/<name>"', id);
        // The declared options core parses the command line against (manifest.ts CommandContribution).
        const options = c['options'];
        if (options !== undefined && !isObject(options)) fail(name, `${at}.meta.options`, 'an object mapping option names to { type, description }', options);
        for (const [option, spec] of Object.entries((options ?? {}) as Record<string, unknown>)) {
          const s = isObject(spec) ? spec : {};
          if (!OPTION_TYPES.includes(s['type'] as string)) fail(name, `${at}.meta.options.${option}.type`, `one of ${OPTION_TYPES.join(', ')}`, s['type']);
          if (typeof s['description'] !== 'string') fail(name, `${at}.meta.options.${option}.description`, 'a string', s['description']);
        }
        if (typeof contribution['run'] !== 'function') fail(name, `${at}.run`, 'a function', contribution['run']);
        continue;
      }
      if (!isObject(c['schema'])) {
        fail(name, `${at}.meta.schema`, 'a JSON Schema object ({ type: "object", additionalProperties: false } for no options)', c['schema']);
      }
      if (!isObject(c['defaultOptions'])) fail(name, `${at}.meta.defaultOptions`, 'an object ({} for no options)', c['defaultOptions']);
      if (typeof contribution['create'] !== 'function') fail(name, `${at}.create`, 'a function', contribution['create']);
    }
  }
  return value as unknown as PluginManifest;
}

const OPTION_TYPES = ['string', 'number', 'integer', 'boolean'];

function isObject(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) || (typeof v === 'object' && v !== null && !Array.isArray(v));
}

function hint(key: string, allowed: readonly string[]): string {
  const s = didYouMean(key, allowed);
  return s === undefined ? '' : ` Did you mean "${s}"?`;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  try {
    const text = JSON.stringify(v);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(v);
  }
}
