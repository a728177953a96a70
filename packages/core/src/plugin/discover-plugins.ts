import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The npm keyword that marks a package as an ungreedy plugin (STYLE.md H4). */
export const PLUGIN_KEYWORD = 'ungreedy-plugin';

function packageFolders(nodeModules: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(nodeModules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of readdirSync(join(nodeModules, name)).sort()) out.push(join(nodeModules, name, sub));
    } else out.push(join(nodeModules, name));
  }
  return out;
}

/**
 * The names of the installed packages whose package.json has the keyword `ungreedy-plugin`, looked up the way Node
 * resolves packages: in `node_modules` of each start folder and of every folder above it. A name found twice is
 * listed once (the nearest copy is the one `import` loads). Sorted, so listings do not depend on the file system.
 */
export function discoverInstalledPlugins(startDirs: readonly string[]): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const start of startDirs) {
    for (let dir = start; ; dir = dirname(dir)) {
      const nodeModules = join(dir, 'node_modules');
      if (!seen.has(nodeModules) && existsSync(nodeModules)) {
        seen.add(nodeModules);
        for (const folder of packageFolders(nodeModules)) {
          try {
            const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown; keywords?: unknown };
            if (typeof pkg.name === 'string' && Array.isArray(pkg.keywords) && pkg.keywords.includes(PLUGIN_KEYWORD)) names.add(pkg.name);
          } catch {
            // A folder without a readable package.json is not an installed package (npm's own .bin, leftovers).
          }
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return [...names].sort();
}
