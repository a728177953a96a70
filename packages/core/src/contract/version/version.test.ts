import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { CORE_API_VERSION } from './version.js';
import { checkPlugin } from '../../testing/check-plugin.js';
import type { PluginManifest } from '../plugin/manifest.js';

// One version: CORE_API_VERSION (version.ts) is what the loader checks `meta.coreApi` against. Every workspace
// plugin's manifest range and its package.json peer range must be the same `^<CORE_API_VERSION>`, so npm installs
// exactly the cores the loader accepts.

interface PackageJson {
  name: string;
  version: string;
  keywords?: string[];
  exports?: Record<string, string | { 'ungreedy-development'?: string; default?: string }>;
  peerDependencies?: Record<string, string>;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}

const root = repoRoot();
const plugins = ['packages', 'examples']
  .flatMap((folder) => readdirSync(join(root, folder)).map((name) => join(root, folder, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson }))
  .filter(({ pkg }) => pkg.keywords?.includes('ungreedy-plugin'));

function entryOf(dir: string, pkg: PackageJson): string {
  const main = pkg.exports?.['.'];
  const file = typeof main === 'string' ? main : (main?.['ungreedy-development'] ?? main?.default);
  assert.ok(file, `${pkg.name}: package.json exports["."] should name an entry`);
  return join(dir, file);
}

test('core\'s package version and the contract version have the same major', () => {
  const core = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as PackageJson;
  assert.equal(semver.major(core.version), semver.major(CORE_API_VERSION));
});

test('the workspace has first-party plugins to check', () => {
  assert.ok(plugins.length >= 6, `found ${plugins.map((p) => p.pkg.name).join(', ')}`);
});

for (const { dir, pkg } of plugins) {
  test(`${pkg.name}: peer range, manifest coreApi and CORE_API_VERSION agree`, async () => {
    const expected = `^${CORE_API_VERSION}`;
    assert.equal(pkg.peerDependencies?.['@ungreedy/core'], expected, `${pkg.name} package.json peerDependencies["@ungreedy/core"]`);
    const manifest = ((await import(pathToFileURL(entryOf(dir, pkg)).href)) as { default: PluginManifest }).default;
    assert.equal(manifest.meta.coreApi, expected, `${pkg.name} manifest meta.coreApi`);
    assert.deepEqual(checkPlugin(manifest, { packageJson: pkg }), []);
  });
}
