// What a published tarball's package.json promises must be in the tarball: every export target a consumer can resolve
// is among the package's `files`. The TypeScript sources are reached only through the workspace's own condition,
// `ungreedy-development` (set by tools/run-tests.mjs), never through `development`, which bundlers such as Vite and
// webpack set on their own in development mode and which would point them at src/*.ts that tarballs do not contain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function workspacePackages(): { dir: string; pkg: { name: string; private?: boolean; files?: string[]; exports?: unknown } }[] {
  return ['packages', 'examples']
    .flatMap((parent) => (existsSync(join(root, parent)) ? readdirSync(join(root, parent)).map((d) => join(root, parent, d)) : []))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
}

/** Every [conditions, target] pair of an exports map. */
function targets(node: unknown, conditions: string[] = []): [string[], string][] {
  if (typeof node === 'string') return [[conditions, node]];
  if (Array.isArray(node)) return node.flatMap((n) => targets(n, conditions));
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => targets(value, key.startsWith('.') ? conditions : [...conditions, key]));
  }
  return [];
}

test('no package exports the bare "development" condition, and every export a consumer resolves is shipped', () => {
  const packages = workspacePackages().filter((p) => p.pkg.private !== true);
  assert.ok(packages.some((p) => p.pkg.name === '@ungreedy/core'), 'found no workspace packages');
  for (const { pkg } of packages) {
    for (const [conditions, target] of targets(pkg.exports)) {
      assert.ok(!conditions.includes('development'), `${pkg.name}: exports use the "development" condition for ${target}: rename it "ungreedy-development"`);
      if (conditions.includes('ungreedy-development') || target === './package.json') continue;
      const path = target.replace(/^\.\//, '');
      const shipped = (pkg.files ?? []).some((f) => path === f || path.startsWith(`${f.replace(/\/$/, '')}/`));
      assert.ok(shipped, `${pkg.name}: export target ${target} (conditions ${conditions.join(', ') || 'none'}) is not in "files", so the tarball lacks it`);
    }
  }
});
