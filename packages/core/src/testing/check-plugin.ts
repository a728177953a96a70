import semver from 'semver';
import { CORE_API_VERSION } from '../version.js';
import type { PluginManifest } from '../plugin/manifest.js';

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*(\/[a-z][a-z0-9]*(-[a-z0-9]+)*)?$/;
const NAMESPACE = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a plugin manifest the way the loader will, without calling into it: identity, a valid `coreApi` range
 * that this core satisfies, and each contribution's declared shape (STYLE.md H4-H5). Returns one line per
 * problem, empty when the manifest is sound.
 *
 * @example
 * assert.deepEqual(checkPlugin(plugin), []);
 */
export function checkPlugin(manifest: PluginManifest, coreVersion: string = CORE_API_VERSION): string[] {
  const problems: string[] = [];
  const meta = (manifest as { meta?: Partial<PluginManifest['meta']> }).meta;
  if (!meta || typeof meta !== 'object') return ['meta: must be an object { name, version, coreApi }, but got none.'];
  if (typeof meta.name !== 'string' || meta.name.length === 0) problems.push(`meta.name: must be the npm package name, but got ${JSON.stringify(meta.name)}.`);
  if (typeof meta.version !== 'string' || !semver.valid(meta.version)) {
    problems.push(`meta.version: must be a semver version, but got ${JSON.stringify(meta.version)}.`);
  }
  if (typeof meta.coreApi !== 'string' || !semver.validRange(meta.coreApi)) {
    problems.push(`meta.coreApi: must be a semver range such as "^1.0.0", but got ${JSON.stringify(meta.coreApi)}.`);
  } else if (!semver.satisfies(coreVersion, meta.coreApi)) {
    problems.push(`meta.coreApi: must admit the installed core ${coreVersion}, but got "${meta.coreApi}".`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !NAMESPACE.test(meta.namespace))) {
    problems.push(`meta.namespace: must be a lower-case word, but got ${JSON.stringify(meta.namespace)}.`);
  }
  if (meta.dependencies !== undefined && (!Array.isArray(meta.dependencies) || meta.dependencies.some((d) => typeof d !== 'string'))) {
    problems.push(`meta.dependencies: must be a list of package names, but got ${JSON.stringify(meta.dependencies)}.`);
  }
  for (const kind of ['datasets', 'encoders', 'fusions', 'strategies'] as const) {
    for (const [id, c] of Object.entries(manifest[kind] ?? {})) {
      const where = `${kind}.${id}`;
      if (!ID.test(id)) problems.push(`${where}: id must be kebab-case, but got "${id}".`);
      if (typeof c?.create !== 'function') problems.push(`${where}.create: must be a function, but got ${typeof c?.create}.`);
      const m = c?.meta as Partial<typeof c.meta> | undefined;
      if (typeof m?.docs?.description !== 'string' || m.docs.description.length === 0) {
        problems.push(`${where}.meta.docs.description: must be a sentence, but got ${JSON.stringify(m?.docs?.description)}.`);
      }
      if (m?.defaultOptions === undefined) problems.push(`${where}.meta.defaultOptions: must be declared ({} when there are none), but got undefined.`);
      const schema = m?.schema as Record<string, unknown> | undefined;
      if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
        problems.push(`${where}.meta.schema: must be a JSON Schema object, but got ${JSON.stringify(schema)}.`);
      } else if (schema['additionalProperties'] !== false) {
        problems.push(`${where}.meta.schema.additionalProperties: must be false, but got ${JSON.stringify(schema['additionalProperties'])}.`);
      }
    }
  }
  for (const [id, c] of Object.entries(manifest.commands ?? {})) {
    if (typeof c?.run !== 'function') problems.push(`commands.${id}.run: must be a function, but got ${typeof c?.run}.`);
    if (typeof c?.meta?.docs?.description !== 'string') problems.push(`commands.${id}.meta.docs.description: must be a sentence, but got none.`);
  }
  return problems;
}
