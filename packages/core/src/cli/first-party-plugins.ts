import type { Logger } from '../log/logger.js';
import { isUngreedyError } from '../errors.js';
import { importPlugin, loadPlugins } from '../plugin/load-plugins.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';

/**
 * The first-party plugins the CLI loads when they are installed: datasets (their `prepare/…` and `make/…`
 * commands) and strategies (listed by `ungreedy plugins`).
 */
export const FIRST_PARTY_PLUGINS: readonly string[] = [
  '@ungreedy/dataset-colored-mnist',
  '@ungreedy/dataset-modelnet40',
  '@ungreedy/dataset-nvgesture',
  '@ungreedy/strategy-gblending',
  '@ungreedy/strategy-mmpareto',
  '@ungreedy/strategy-ogm-ge',
];

/**
 * Core's built-ins, every installed first-party dataset plugin (looked up from `cwd`, then from core), and
 * the `--plugin` specifiers (relative to `cwd`). A first-party plugin that is not installed is skipped; one
 * that fails to load is skipped with a warning, so one broken package does not hide the others' commands.
 */
export async function loadCommandPlugins(cwd: string, extra: readonly string[], log: Logger): Promise<PluginRegistry> {
  const registry = await loadPlugins({ specifiers: [], configDir: cwd, registry: createPluginRegistry() });
  for (const name of FIRST_PARTY_PLUGINS) {
    try {
      registry.add(await importPlugin(name, cwd));
    } catch (err) {
      if (isUngreedyError(err, 'UNG_ERR_PLUGIN_NOT_FOUND')) continue;
      log.warn({ plugin: name, err }, 'first-party plugin skipped');
    }
  }
  return loadPlugins({ specifiers: extra, configDir: cwd, registry, builtins: false });
}
