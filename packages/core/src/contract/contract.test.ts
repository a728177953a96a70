import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// The contract (`@ungreedy/core`'s entry) is the semver promise behind `meta.coreApi`: every name it exports is
// one a plugin may rely on. The README's "The contract" section states the count and lists every name; this test
// fails when an export is added or removed without updating it.

function upTo(file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, file))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${file} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

const coreDir = upTo('package.json');
const repo = upTo('nx.json');
const pkg = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { exports: Record<string, { 'ungreedy-development': string }> };
const entry = resolve(coreDir, pkg.exports['.']!['ungreedy-development']);

let names: string[] | undefined;
function contractNames(): string[] {
  if (names) return names;
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const source = program.getSourceFile(entry);
  assert.ok(source, `the contract entry ${entry} should load`);
  const module = program.getTypeChecker().getSymbolAtLocation(source);
  assert.ok(module, `${entry} should be a module`);
  names = program.getTypeChecker().getExportsOfModule(module).map((s) => s.name).sort();
  return names;
}

function readmeSection(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## The contract\n');
  assert.notEqual(start, -1, 'README.md should have a "## The contract" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

test('the README states how many names the contract exports, and lists each of them', () => {
  const exported = contractNames();
  const section = readmeSection();
  const stated = /exports \*\*(\d+) names\*\*/.exec(section);
  assert.ok(stated, 'the section should say "exports **<n> names**"');
  assert.equal(Number(stated[1]), exported.length, `the contract exports ${exported.length} names: ${exported.join(' ')}`);
  const listed = new Set([...section.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]));
  assert.deepEqual(exported.filter((n) => !listed.has(n)), [], 'every exported name should appear in the README section');
  // The aim is well under 80 (README, "The contract"). 75 names today (72 after the trim, plus the executor kind:
  // `Executor`, `ExecutorContext`, `ExecutorContribution`); the cap may only go down from here.
  assert.ok(exported.length <= 75, `the contract should not grow past 75 names (aim: well under 80), but has ${exported.length}`);
});

test('the contract does not export engine or app names', () => {
  const exported = new Set(contractNames());
  for (const name of ['main', 'trainExperiment', 'loadPlugins', 'createRootContainer', 'runMatrix', 'registerProjectKernels', 'HookRunner']) {
    assert.ok(!exported.has(name), `${name} belongs to @ungreedy/core/engine or /app, not the contract`);
  }
});
