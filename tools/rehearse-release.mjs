#!/usr/bin/env node
// Rehearses a release (docs/release.md) without publishing anything: for every publishable workspace package, in
// dependency order, `npm pack --dry-run` must list every file its package.json points a consumer at (main, bin,
// exports under the conditions a consumer sets), and `npm publish --dry-run --access public` must succeed.
// Run after the build (the tarballs hold dist/). .ci/run calls it; `node tools/rehearse-release.mjs --order` only
// prints the publishing order.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Publishable workspace packages (not private), each after the @ungreedy packages it depends on. */
export function publishOrder() {
  const packages = new Map();
  for (const dir of readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private !== true) packages.set(pkg.name, { dir, pkg });
  }
  const order = [];
  const visiting = new Set();
  const visit = (name) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new Error(`rehearse-release: dependency cycle through ${name}`);
    visiting.add(name);
    const { pkg } = packages.get(name);
    const deps = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
    for (const dep of Object.keys(deps).sort()) if (packages.has(dep)) visit(dep);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of [...packages.keys()].sort()) visit(name);
  return order.map((name) => packages.get(name));
}

/** Files a consumer's resolution can reach: main, bin, and exports targets except the workspace-only condition. */
function promisedFiles(pkg) {
  const out = new Set();
  const add = (target) => {
    if (typeof target === 'string' && !target.includes('*')) out.add(target.replace(/^\.\//, ''));
  };
  const walk = (node, key) => {
    if (key === 'ungreedy-development') return;
    if (typeof node === 'string') add(node);
    else if (Array.isArray(node)) node.forEach((n) => walk(n));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  add(pkg.main);
  // What the install scripts run, and what they read (the backend's builds the native kernels from their C++ source).
  for (const hook of ['preinstall', 'install', 'postinstall']) {
    for (const m of (pkg.scripts?.[hook] ?? '').matchAll(/\bnode\s+(\S+\.m?js)/g)) {
      add(m[1]);
      const script = readFileSync(join(pkgDir(pkg), m[1]), 'utf8');
      for (const read of script.matchAll(/join\(here, '([^']+\.(?:cc|cpp|c|h))'\)/g)) add(join(m[1], '..', read[1]));
    }
  }
  if (typeof pkg.bin === 'string') add(pkg.bin);
  else for (const b of Object.values(pkg.bin ?? {})) add(b);
  walk(pkg.exports);
  return [...out];
}

function pkgDir(pkg) {
  return order.find((p) => p.pkg === pkg).dir;
}

function npm(args) {
  const r = spawnSync('npm', args, { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const order = publishOrder();
if (process.argv.includes('--order')) {
  for (const { pkg } of order) console.log(pkg.name);
  process.exit(0);
}
let failed = 0;
for (const { pkg } of order) {
  const packed = npm(['pack', '--dry-run', '--json', '--workspace', pkg.name]);
  if (!packed.ok) {
    console.error(`rehearse-release: npm pack --dry-run failed for ${pkg.name}:\n${packed.stderr}`);
    failed++;
    continue;
  }
  const json = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
  const files = new Set(json[0].files.map((f) => f.path));
  const missing = promisedFiles(pkg).filter((f) => !files.has(f));
  // A compiled addon is built for the publisher's machine and libraries: the install script builds it on the user's.
  const binaries = [...files].filter((f) => f.endsWith('.node'));
  if (binaries.length > 0) {
    console.error(`rehearse-release: ${pkg.name}'s tarball holds compiled addons (${binaries.join(', ')}): exclude them in "files"`);
    failed++;
    continue;
  }
  if (missing.length > 0) {
    console.error(`rehearse-release: ${pkg.name}'s tarball lacks ${missing.join(', ')}, which its package.json points at (built? in "files"?)`);
    failed++;
    continue;
  }
  const published = npm(['publish', '--dry-run', '--access', 'public', '--workspace', pkg.name]);
  if (!published.ok) {
    console.error(`rehearse-release: npm publish --dry-run failed for ${pkg.name}:\n${published.stderr}`);
    failed++;
    continue;
  }
  console.log(`rehearse-release: ${pkg.name}@${pkg.version}: ${files.size} files, ${(json[0].size / 1024).toFixed(0)} kB packed, publish --dry-run ok`);
}
if (failed > 0) {
  console.error(`rehearse-release: ${failed} package(s) would not publish`);
  process.exit(1);
}
