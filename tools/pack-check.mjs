#!/usr/bin/env node
// Checks one packed package (tools/pack-test.sh): every file its package.json names through `main`, `types`,
// `exports`, `bin`, `files` and an `install` script of the form `node <file>` is in the tarball, and no test file
// or test fixture is. Usage: node tools/pack-check.mjs <package folder> <tarball>. Exit 1 with one line per problem.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, tarball] = process.argv.slice(2);
if (!dir || !tarball) {
  console.error('usage: node tools/pack-check.mjs <package folder> <tarball>');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const entries = new Set(
  execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((e) => e.replace(/^package\//, '')),
);
const problems = [];
const clean = (p) => p.replace(/^\.\//, '');
const has = (p) => entries.has(clean(p)) || [...entries].some((e) => e.startsWith(`${clean(p).replace(/\/$/, '')}/`));
function need(path, field) {
  if (!has(path)) problems.push(`${pkg.name}: ${field} names "${path}", but the tarball has no such file.`);
}

if (pkg.main) need(pkg.main, 'main');
if (pkg.types) need(pkg.types, 'types');
for (const [key, target] of Object.entries(pkg.exports ?? {})) {
  // The "ungreedy-development" condition points at TypeScript sources, used inside the workspace only (tools/run-tests.mjs).
  const targets = typeof target === 'string' ? { default: target } : target;
  for (const [condition, path] of Object.entries(targets)) if (condition !== 'ungreedy-development') need(path, `exports["${key}"].${condition}`);
}
const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
for (const [name, path] of Object.entries(bins)) need(path, `bin.${name}`);
for (const pattern of pkg.files ?? []) {
  // A negated entry ("!dist/addon") keeps files out; there is nothing to find for it.
  if (pattern.startsWith('!')) continue;
  if (/[*?]/.test(pattern)) {
    const re = new RegExp(`^${clean(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}$`);
    if (![...entries].some((e) => re.test(e))) problems.push(`${pkg.name}: files pattern "${pattern}" matches nothing in the tarball.`);
  } else need(pattern, 'files');
}
for (const script of ['preinstall', 'install', 'postinstall']) {
  const m = /^node\s+(\S+)/.exec(pkg.scripts?.[script] ?? '');
  if (m) need(m[1], `scripts.${script}`);
}
const cc = /node\s+(\S+\.mjs)/.exec(pkg.scripts?.install ?? '');
if (cc) {
  // A native build script reads its C++ source next to it: ship whatever .cc the package has under native/.
  for (const e of execFileSync('git', ['-C', dir, 'ls-files', 'native'], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.cc'))) {
    need(e, `the sources of scripts.install (${cc[1]})`);
  }
}
for (const e of entries) {
  if (/(^|\/)[^/]*\.test\.[cm]?[jt]s(\.map)?$|\.test\.d\.ts|(^|\/)(test-)?fixtures\//.test(e)) problems.push(`${pkg.name}: the tarball ships a test file: ${e}`);
}
for (const p of problems) console.error(p);
console.log(`pack-check: ${pkg.name} ${entries.size} files, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
