import semver from 'semver';
import { UngreedyError } from '../../contract/errors/errors.js';
import { CORE_API_VERSION } from '../../contract/version/version.js';
import type { PluginMeta } from '../../contract/plugin/manifest.js';

/**
 * Refuses a plugin whose `meta.coreApi` range the installed core API version does not satisfy
 * (Fastify's `checkVersion`). Pre-release cores count as their release (`2.1.0-rc.1` satisfies `^2.0.0`),
 * so plugins can be tried against a release candidate.
 *
 * @example
 * checkCoreRange({ name: 'ungreedy-strategy-foo', version: '2.1.0', coreApi: '^3.0.0' }, '2.0.0'); // throws
 */
export function checkCoreRange(meta: PluginMeta, coreVersion: string = CORE_API_VERSION): void {
  const range = semver.validRange(meta.coreApi);
  if (range === null) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `plugin "${meta.name}" field meta.coreApi must be a semver range such as "^2.0.0", but got ${JSON.stringify(meta.coreApi)}. Fix the plugin's manifest.`,
      { plugin: meta.name, field: 'meta.coreApi', value: meta.coreApi },
    );
  }
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_CORE_RANGE',
      `plugin "${meta.name}"@${meta.version} expects core API "${meta.coreApi}", but core ${coreVersion} is installed. ` +
        `Fix: install a version of "${meta.name}" built for core ${coreVersion}, or a core that satisfies "${meta.coreApi}".`,
      { plugin: meta.name, pluginVersion: meta.version, range: meta.coreApi, coreVersion },
    );
  }
}
