import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { Logger } from '../../contract/log/logger.js';
import type { PluginManifest } from '../../contract/plugin/manifest.js';
import type { LoadedPlugin, PluginRegistry } from './registry.js';
import { createPluginRegistry } from './plugin-registry.js';

export interface LoadPluginsOptions {
  /** The config's `plugins`: package names or paths relative to `configDir`. */
  readonly specifiers: readonly string[];
  /** Folder of the config file: paths are relative to it, and packages are looked up from it first. */
  readonly configDir: string;
  /** Registry to add to; a fresh one by default. */
  readonly registry?: PluginRegistry;
  /**
   * Registered first unless the registry holds it already: core's built-ins (`builtinPlugin` of
   * engine/assembly/builtins.ts, passed in by the caller so the plugin folder does not depend on the components).
   */
  readonly builtins?: PluginManifest;
  readonly log?: Logger;
}

/**
 * Loads the given built-ins, then each plugin in order, into a registry: resolve → import → check (manifest,
 * core range, dependencies, duplicate ids; see DefaultPluginRegistry.add).
 *
 * @example
 * const registry = await loadPlugins({ specifiers: ['@ungreedy/strategy-guided', './my-plugin'], configDir });
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginRegistry> {
  const registry = options.registry ?? createPluginRegistry();
  const builtins = options.builtins;
  if (builtins !== undefined && !registry.plugins.some((p) => p.manifest === builtins)) {
    registry.add({ manifest: builtins, specifier: '@ungreedy/core', resolvedFrom: 'builtin' });
  }
  for (const specifier of options.specifiers) {
    const plugin = await importPlugin(specifier, options.configDir);
    registry.add(plugin);
    options.log?.debug({ plugin: plugin.manifest.meta.name, version: plugin.manifest.meta.version, from: plugin.resolvedFrom }, 'plugin loaded');
  }
  return registry;
}

/** Resolves and imports one plugin; the manifest is checked when it is added to a registry. */
export async function importPlugin(specifier: string, configDir: string): Promise<LoadedPlugin> {
  const file = resolvePluginEntry(specifier, configDir);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `plugin "${specifier}" must be an importable ES module, but importing ${file} threw. Fix the plugin or reinstall it.`,
      { plugin: specifier, source: file, field: 'module' },
      { cause },
    );
  }
  if (!('default' in module)) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `plugin "${specifier}" must default-export its manifest, but ${file} has only ${JSON.stringify(Object.keys(module))}. ` +
        'Fix: export default definePlugin({ meta, ... }).',
      { plugin: specifier, source: file, field: 'default export' },
    );
  }
  return { manifest: module['default'] as LoadedPlugin['manifest'], specifier, resolvedFrom: file };
}

/** Whether a specifier names a path (relative to the config file) rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' ||
    isAbsolute(specifier) || specifier.startsWith('file:');
}

/**
 * The file to import for a specifier. Packages are looked up in `node_modules` folders from the config's
 * folder upwards, then from core's own location upwards (so a globally installed `ungreedy` finds plugins
 * installed beside it); the error lists every folder looked in.
 */
export function resolvePluginEntry(specifier: string, configDir: string): string {
  if (isPathSpecifier(specifier)) {
    const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(configDir, specifier);
    if (!existsSync(path)) {
      throw new UngreedyError(
        'UNG_ERR_PLUGIN_NOT_FOUND',
        `plugin path "${specifier}" must exist relative to the config's folder, but ${path} does not. Fix the path in "plugins".`,
        { specifier, looked: [path] },
      );
    }
    return statSync(path).isDirectory() ? packageEntry(path, specifier) : path;
  }
  const looked: string[] = [];
  const seen = new Set<string>();
  for (const start of [configDir, dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const modules = join(dir, 'node_modules');
      if (!seen.has(modules) && basename(dir) !== 'node_modules') {
        seen.add(modules);
        looked.push(modules);
        const pkgDir = join(modules, specifier);
        if (existsSync(join(pkgDir, 'package.json'))) return packageEntry(pkgDir, specifier);
      }
      if (dirname(dir) === dir) break;
    }
  }
  throw new UngreedyError(
    'UNG_ERR_PLUGIN_NOT_FOUND',
    `plugin "${specifier}" must be an installed package or a path starting with "./", but it was not found in ${looked.join(', ')}. ` +
      `Fix: run \`npm install ${specifier}\` in the config's folder, or give a path relative to the config file.`,
    { specifier, looked },
  );
}

/** A package folder's ESM entry: `exports["."]` under the active conditions, else `main`, else index.js. */
function packageEntry(pkgDir: string, specifier: string): string {
  const pkgFile = join(pkgDir, 'package.json');
  if (!existsSync(pkgFile)) {
    const index = join(pkgDir, 'index.js');
    if (existsSync(index)) return index;
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_NOT_FOUND',
      `plugin folder "${specifier}" must hold a package.json or an index.js, but ${pkgDir} has neither.`,
      { specifier, looked: [pkgFile, index] },
    );
  }
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `plugin "${specifier}" must have a valid package.json, but ${pkgFile} is not valid JSON.`,
      { plugin: specifier, source: pkgFile, field: 'package.json' },
      { cause },
    );
  }
  const exported = pkg['exports'];
  const dot = typeof exported === 'string' || Array.isArray(exported) ? exported
    : exported !== null && typeof exported === 'object' && Object.keys(exported).some((k) => k.startsWith('.'))
      ? (exported as Record<string, unknown>)['.']
      : exported;
  const target = dot === undefined ? undefined : pickCondition(dot, activeConditions());
  const relative = target ?? (typeof pkg['main'] === 'string' ? pkg['main'] : 'index.js');
  const entry = resolve(pkgDir, relative);
  if (!existsSync(entry)) {
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_NOT_FOUND',
      `plugin "${specifier}" must have its entry file, but ${entry} does not exist (was the package built?). Fix: build or reinstall it.`,
      { specifier, looked: [entry] },
    );
  }
  return entry;
}

/** Node's export-condition matching: first key (in object order) that is active wins; nested objects recurse. */
function pickCondition(target: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const hit = pickCondition(t, conditions);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (conditions.has(key)) {
        const hit = pickCondition(value, conditions);
        if (hit !== undefined) return hit;
      }
    }
  }
  return undefined;
}

/** `import`, `node`, `default`, plus any `--conditions` the process runs with (tests use `ungreedy-development`). */
function activeConditions(): ReadonlySet<string> {
  const out = new Set(['import', 'node', 'default', 'module-sync']);
  const args = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(?:--conditions|-C)=(.+)$/.exec(a);
    if (m) out.add(m[1]!);
    else if ((a === '--conditions' || a === '-C') && args[i + 1]) out.add(args[++i]!);
  }
  return out;
}
