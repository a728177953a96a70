import { isUngreedyError } from '../errors.js';
import { checkCoreRange } from '../plugin/check-core-range.js';
import { validateManifest } from '../plugin/validate-manifest.js';
import { CORE_API_VERSION } from '../version.js';
import type { PluginManifest } from '../plugin/manifest.js';

/**
 * Checks a plugin manifest the way the loader will, without calling into it (STYLE.md H4-H5): the loader's own
 * manifest validation and core range check, then what the kit asks beyond them: every contribution's schema
 * says `additionalProperties: false` and its description is not empty. Returns one line per problem, empty
 * when the manifest is sound.
 *
 * @example
 * assert.deepEqual(checkPlugin(plugin), []);
 */
export function checkPlugin(manifest: PluginManifest, coreVersion: string = CORE_API_VERSION): string[] {
  const problems: string[] = [];
  try {
    validateManifest(manifest, '<checkPlugin>');
    checkCoreRange(manifest.meta, coreVersion);
  } catch (err) {
    if (!isUngreedyError(err)) throw err;
    return [`${err.code}: ${err.message}`];
  }
  for (const kind of ['datasets', 'encoders', 'fusions', 'strategies'] as const) {
    for (const [id, c] of Object.entries(manifest[kind] ?? {})) {
      if (c.meta.docs.description.trim().length === 0) problems.push(`${kind}.${id}.meta.docs.description: must be a sentence, but got "".`);
      if (c.meta.schema['additionalProperties'] !== false) {
        problems.push(
          `${kind}.${id}.meta.schema.additionalProperties: must be false, so a misspelt option is an error, but got ${JSON.stringify(c.meta.schema['additionalProperties'])}.`,
        );
      }
    }
  }
  return problems;
}
