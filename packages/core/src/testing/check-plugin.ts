import semver from 'semver';
import { isUngreedyError } from '../contract/errors/errors.js';
import { checkCoreRange } from '../engine/plugin/check-core-range.js';
import { validateManifest } from '../engine/plugin/validate-manifest.js';
import { CORE_API_VERSION } from '../contract/version/version.js';
import type { PluginManifest } from '../contract/plugin/manifest.js';

/** The fields of a plugin's `package.json` that {@link checkPlugin} compares with its manifest. */
export interface PluginPackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

export interface CheckPluginOptions {
  /** The core API version to check `meta.coreApi` against; the installed one by default. */
  readonly coreVersion?: string;
  /** The plugin's `package.json`: when given, its name, version and core peer range must agree with the manifest. */
  readonly packageJson?: PluginPackageJson;
}

/**
 * Checks a plugin manifest the way the loader will, without calling into it (STYLE.md H4-H5): the loader's own
 * manifest validation and core range check, then what the kit asks beyond them: every contribution's schema
 * says `additionalProperties: false` and its description is not empty. Returns one line per problem, empty
 * when the manifest is sound.
 *
 * Given the plugin's `package.json`, it also checks that name and version match the manifest's and that the
 * peer dependency on `@ungreedy/core` is the range `meta.coreApi` declares: npm installs by the peer range and the
 * loader checks `coreApi`, so a drift between them lets npm install a core the loader then refuses (or the reverse).
 *
 * @example
 * import pkg from '../package.json' with { type: 'json' };
 * assert.deepEqual(checkPlugin(plugin, { packageJson: pkg }), []);
 */
export function checkPlugin(manifest: PluginManifest, options: CheckPluginOptions = {}): string[] {
  const { coreVersion = CORE_API_VERSION, packageJson } = options;
  const problems: string[] = [];
  try {
    validateManifest(manifest, '<checkPlugin>');
    checkCoreRange(manifest.meta, coreVersion);
  } catch (err) {
    if (!isUngreedyError(err)) throw err;
    return [`${err.code}: ${err.message}`];
  }
  if (packageJson) problems.push(...packageProblems(manifest, packageJson));
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

function packageProblems(manifest: PluginManifest, pkg: PluginPackageJson): string[] {
  const problems: string[] = [];
  const { meta } = manifest;
  if (pkg.name !== meta.name) problems.push(`meta.name: must be package.json's name ${JSON.stringify(pkg.name)}, but got ${JSON.stringify(meta.name)}.`);
  if (pkg.version !== meta.version) {
    problems.push(`meta.version: must be package.json's version ${JSON.stringify(pkg.version)}, but got ${JSON.stringify(meta.version)}.`);
  }
  const peer = pkg.peerDependencies?.['@ungreedy/core'];
  if (peer === undefined) {
    problems.push(
      `package.json peerDependencies["@ungreedy/core"]: must be the range meta.coreApi declares (${JSON.stringify(meta.coreApi)}), but it is missing. ` +
        'Fix: add it as a peer dependency, so one copy of core (and of TensorFlow.js) is installed.',
    );
  } else if (semver.validRange(peer) === null || semver.validRange(peer) !== semver.validRange(meta.coreApi)) {
    problems.push(
      `package.json peerDependencies["@ungreedy/core"]: must be the range meta.coreApi declares (${JSON.stringify(meta.coreApi)}), but got ${JSON.stringify(peer)}. ` +
        'Fix: make the two ranges the same.',
    );
  }
  return problems;
}
