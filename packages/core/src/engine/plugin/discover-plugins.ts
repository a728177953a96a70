import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The package.json keyword that marks an npm package as an ungreedy plugin (README, "Writing a plugin"). */
export const PLUGIN_KEYWORD = 'ungreedy-plugin';

/** An installed package that declares {@link PLUGIN_KEYWORD}. */
export interface DiscoveredPlugin {
  /** Its package name, what a config's `plugins` names it by. */
  readonly name: string;
  readonly version: string;
  /** Its folder (the `node_modules` entry, symlinks not followed in the path). */
  readonly dir: string;
}

/**
 * Every package with the `ungreedy-plugin` keyword in a `node_modules` folder that Node would search from one of
 * `from` (each folder and its ancestors, `@scope/name` included), sorted by name. A package found from several
 * places is listed once, from the nearest folder of the first `from` that has it. Unreadable package.json files
 * are skipped: a listing must not fail because one unrelated package is broken.
 *
 * @example
 * discoverInstalledPlugins([process.cwd()]).map((p) => p.name) // ['@ungreedy/dataset-colored-mnist', ...]
 */
export function discoverInstalledPlugins(from: readonly string[]): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  for (const start of from) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const modules = join(dir, 'node_modules');
      if (existsSync(modules)) {
        for (const pkgDir of packageFolders(modules)) {
          const pkg = readPackage(pkgDir);
          if (pkg !== undefined && !found.has(pkg.name)) found.set(pkg.name, { ...pkg, dir: pkgDir });
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function packageFolders(modules: string): string[] {
  const out: string[] = [];
  for (const entry of safeList(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) out.push(...safeList(join(modules, entry)).map((n) => join(modules, entry, n)));
    else out.push(join(modules, entry));
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readPackage(dir: string): { name: string; version: string } | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown; keywords?: unknown };
    if (typeof pkg.name !== 'string' || !Array.isArray(pkg.keywords) || !pkg.keywords.includes(PLUGIN_KEYWORD)) return undefined;
    return { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
  } catch {
    return undefined;
  }
}
