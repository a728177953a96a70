import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../contract/log/logger.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { discoverInstalledPlugins } from '../../engine/plugin/discover-plugins.js';
import { importPlugin, loadPlugins } from '../../engine/plugin/load-plugins.js';
import { builtinPlugin } from '../../engine/assembly/builtins.js';
import type { LoadedPlugin, PluginRegistry } from '../../engine/plugin/registry.js';
import { createPluginRegistry } from '../../engine/plugin/plugin-registry.js';
import { executorsPlugin } from '../executors/executors-plugin.js';

/**
 * The installed plugins: every package with the `ungreedy-plugin` keyword that Node would find from `cwd` or from
 * core's own folder (`discoverInstalledPlugins`), so `ungreedy plugins` and `ungreedy datasets` show every installed
 * contribution without a config.
 */
export function installedPluginNames(cwd: string): string[] {
  return discoverInstalledPlugins([cwd, dirname(fileURLToPath(import.meta.url))]).map((p) => p.name);
}

/**
 * Core's built-ins, the `--plugin` specifiers (relative to `cwd`), then every installed plugin
 * ({@link installedPluginNames}). What the user names wins: an installed plugin that contributes an id a `--plugin`
 * already does is left out (logged). An installed plugin that fails to load is skipped with a warning, so one broken
 * package does not hide the others' components and commands; one whose `meta.dependencies` are installed is added
 * after them.
 */
export async function loadCommandPlugins(cwd: string, extra: readonly string[], log: Logger): Promise<PluginRegistry> {
  const base = await loadPlugins({ specifiers: [], configDir: cwd, registry: createPluginRegistry(), builtins: builtinPlugin });
  // Core's executors (app code, so not among the engine's built-ins): `ungreedy plugins` lists them too.
  base.add({ manifest: executorsPlugin, specifier: '@ungreedy/core', resolvedFrom: 'builtin' });
  const registry = await loadPlugins({ specifiers: extra, configDir: cwd, registry: base });
  const named = new Set(registry.plugins.map((p) => p.manifest.meta.name));
  let pending: LoadedPlugin[] = [];
  for (const name of installedPluginNames(cwd).filter((n) => !named.has(n))) {
    try {
      pending.push(await importPlugin(name, cwd));
    } catch (err) {
      log.warn({ plugin: name, err }, 'installed plugin skipped');
    }
  }
  // Dependencies first: retry the plugins whose dependency is not added yet until a pass adds nothing.
  for (let added = true; pending.length > 0 && added; ) {
    added = false;
    const later: LoadedPlugin[] = [];
    for (const plugin of pending) {
      try {
        registry.add(plugin);
        added = true;
      } catch (err) {
        if (isUngreedyError(err, 'UNG_ERR_PLUGIN_DEPENDENCY')) later.push(plugin);
        else if (isUngreedyError(err, 'UNG_ERR_PLUGIN_DUPLICATE_ID')) log.info({ plugin: plugin.specifier, reason: err.message }, 'installed plugin left out: --plugin contributes the same id');
        else log.warn({ plugin: plugin.specifier, err }, 'installed plugin skipped');
      }
    }
    pending = later;
  }
  for (const plugin of pending) log.warn({ plugin: plugin.specifier }, 'installed plugin skipped: a plugin it depends on is not installed');
  return registry;
}
