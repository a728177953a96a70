import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.js';
import { isUngreedyError } from '../errors.js';
import { importPlugin, loadPlugins } from '../plugin/load-plugins.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';
import { discoverInstalledPlugins } from '../plugin/discover-plugins.js';

/**
 * Core's built-ins, every installed plugin package that offers commands (keyword `ungreedy-plugin`, found from `cwd`
 * and from where core is installed: core names no plugin package), and the `--plugin` specifiers (relative to `cwd`). An installed
 * plugin that fails to load is skipped with a warning, so one broken package does not hide the others' commands.
 */
export async function loadCommandPlugins(cwd: string, extra: readonly string[], log: Logger): Promise<PluginRegistry> {
  const registry = await loadPlugins({ specifiers: [], configDir: cwd, registry: createPluginRegistry() });
  for (const name of discoverInstalledPlugins([cwd, fileURLToPath(new URL('.', import.meta.url))])) {
    try {
      const plugin = await importPlugin(name, cwd);
      // Only what offers commands: the others' components come from a config's `plugins` (or `--plugin`), where an
      // installed package would otherwise clash with a config's own plugin contributing the same id.
      if (Object.keys(plugin.manifest.commands ?? {}).length > 0) registry.add(plugin);
    } catch (err) {
      if (isUngreedyError(err, 'UNG_ERR_PLUGIN_NOT_FOUND')) continue;
      log.warn({ plugin: name, err }, 'installed plugin skipped');
    }
  }
  return loadPlugins({ specifiers: extra, configDir: cwd, registry, builtins: false });
}
