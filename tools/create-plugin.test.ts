import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlugin } from './create-plugin.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** A folder outside the repository whose node_modules is the workspace's (core, tsx, pino, typescript). */
function outside(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-generated-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

for (const kind of ['strategy', 'dataset'] as const) {
  test(`a generated ${kind} package typechecks and its own tests pass`, () => {
    const dir = join(outside(), `ungreedy-${kind}-demo-one`);
    const out = createPlugin({ kind, id: 'demo-one', dir, description: `A demo ${kind}.` });
    assert.equal(out.name, `ungreedy-${kind}-demo-one`);
    assert.deepEqual(out.files, [
      'README.md', 'docs/demo-one.md', 'package.json',
      'src/demo-one.schema.json', 'src/demo-one.test.ts', 'src/demo-one.ts', 'src/index.ts',
      'tsconfig.build.json', 'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(pkg['peerDependencies'], { '@ungreedy/core': '^2.0.0' });
    assert.ok((pkg['keywords'] as string[]).includes('ungreedy-plugin'));
    // Typecheck against core's sources (no build needed), as a third party would against its types.
    const check = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit', '--customConditions', 'ungreedy-development'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    // Without NODE_TEST_CONTEXT the child reports as a top-level run (TAP on stdout), not to this runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', 'tsx', '--test', '--test-reporter=tap', 'src/demo-one.test.ts'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# pass [1-9]/);
    assert.match(run.stdout, /# fail 0/);
  });
}

test('inside a workspace the package goes to packages/<kind>-<id> under the @ungreedy scope', () => {
  const root = mkdtempSync(join(tmpdir(), 'ungreedy-ws-'));
  mkdirSync(join(root, 'packages'));
  const out = createPlugin({ kind: 'strategy', id: 'fancy', root });
  assert.equal(out.dir, join(root, 'packages', 'strategy-fancy'));
  assert.equal(out.name, '@ungreedy/strategy-fancy');
  const tsconfig = JSON.parse(readFileSync(join(out.dir, 'tsconfig.json'), 'utf8')) as { extends?: string };
  assert.equal(tsconfig.extends, '../../tsconfig.base.json');
  assert.match(readFileSync(join(out.dir, 'src', 'index.ts'), 'utf8'), /strategies: \{ 'fancy': fancy \}/);
});

test('bad ids, bad kinds and non-empty folders are refused', () => {
  const dir = outside();
  assert.throws(() => createPlugin({ kind: 'strategy', id: 'Bad_Id', dir: join(dir, 'x') }), /kebab-case/);
  assert.throws(() => createPlugin({ kind: 'metric' as never, id: 'x', dir: join(dir, 'y') }), /kind must be/);
  assert.throws(() => createPlugin({ kind: 'strategy', id: 'x', dir }), /must be empty/);
});
