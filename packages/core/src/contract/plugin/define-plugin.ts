import type { PluginManifest, Contribution } from './manifest.js';

/**
 * Identity function that types a plugin manifest.
 *
 * @example
 * import pkg from '../../package.json' with { type: 'json' };
 * export default definePlugin({
 *   meta: { name: pkg.name, version: pkg.version, namespace: 'foo', coreApi: '^2.0.0' },
 *   strategies: { foo },
 * });
 */
export function definePlugin<const M extends PluginManifest>(manifest: M): M {
  return manifest;
}

/** Identity function that types one contribution, so `create` sees its own option type. */
export function defineContribution<O, C, P>(contribution: Contribution<O, C, P>): Contribution<O, C, P> {
  return contribution;
}
