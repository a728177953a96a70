import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUngreedyError, type UngreedyError } from '../../contract/errors/errors.js';
import { importPlugin, loadPlugins, resolvePluginEntry } from './load-plugins.js';
import { createPluginRegistry } from './plugin-registry.js';
import type { PluginManifest } from '../../contract/plugin/manifest.js';
import { builtinPlugin } from '../assembly/builtins.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'test-fixtures', 'ungreedy-strategy-noop');

function tempDir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'ungreedy-loader-')));
}

/** A package in `<root>/node_modules/<name>` whose index.js default-exports `manifest` (as JS source). */
function writePackage(root: string, name: string, manifestSource: string): string {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': './index.js' } }));
  writeFileSync(join(dir, 'index.js'), `export default ${manifestSource};\n`);
  return dir;
}

const strategy = (id: string): string =>
  `{ ${JSON.stringify(id)}: { meta: { docs: { description: 'x' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } }, create: () => ({ evaluationMode: 'regular' }) } }`;

const manifest = (name: string, extra = '', coreApi = '^2.0.0', strategies = strategy('foo')): string =>
  `{ meta: { name: ${JSON.stringify(name)}, version: '1.2.3', coreApi: ${JSON.stringify(coreApi)}${extra} }, strategies: ${strategies} }`;

function rejects(code: UngreedyError['code'], check: (data: Record<string, unknown>) => void = () => {}) {
  return (err: unknown): boolean => {
    assert.ok(isUngreedyError(err, code), `expected ${code}, got ${String(err)}`);
    check(err.data as Record<string, unknown>);
    return true;
  };
}

test('a plugin is found by package name from the config folder upwards, after core\'s built-ins', async () => {
  const root = tempDir();
  writePackage(root, 'ungreedy-strategy-foo', manifest('ungreedy-strategy-foo'));
  const configDir = join(root, 'experiments', 'deep');
  mkdirSync(configDir, { recursive: true });
  const registry = await loadPlugins({ specifiers: ['ungreedy-strategy-foo'], configDir, builtins: builtinPlugin });
  assert.deepEqual(registry.plugins.map((p) => p.manifest.meta.name), ['@ungreedy/core', 'ungreedy-strategy-foo']);
  const found = registry.find('strategies', 'foo');
  assert.equal(found?.plugin.manifest.meta.name, 'ungreedy-strategy-foo');
  assert.equal(found?.plugin.resolvedFrom, join(root, 'node_modules', 'ungreedy-strategy-foo', 'index.js'));
});

test('a scoped package resolves through its exports conditions', async () => {
  const root = tempDir();
  const dir = join(root, 'node_modules', '@acme', 'ungreedy-strategy-bar');
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: '@acme/ungreedy-strategy-bar', type: 'module', exports: { '.': { types: './x.d.ts', require: './nope.cjs', import: './lib/main.js' } },
  }));
  writeFileSync(join(dir, 'lib', 'main.js'), `export default ${manifest('@acme/ungreedy-strategy-bar', '', '^2.0.0', strategy('bar'))};`);
  const registry = await loadPlugins({ specifiers: ['@acme/ungreedy-strategy-bar'], configDir: root });
  assert.deepEqual(registry.ids('strategies'), ['bar']);
});

test('the third-party fixture plugin (outside the workspace) loads by a path relative to the config', async () => {
  const configDir = tempDir();
  const registry = await loadPlugins({ specifiers: [relative(configDir, fixture)], configDir });
  const found = registry.find('strategies', 'noop');
  assert.ok(found);
  assert.equal(found.plugin.manifest.meta.name, 'ungreedy-strategy-noop');
  assert.equal(found.plugin.manifest.meta.version, '0.3.0');
  assert.deepEqual(found.contribution.meta.defaultOptions, { every: 1, label: 'noop' });
  const s = await found.contribution.create({ every: 2, label: 'x' }, { numModalities: 2, log: undefined as never });
  assert.equal(s.evaluationMode, 'regular');
  for (const epoch of [1, 2, 3, 4]) await s.onEpochBegin?.({ epoch } as never);
  assert.deepEqual(s.stateDict?.(), { epochs: 2 });
});

test('a missing plugin lists every folder the loader looked in', async () => {
  const root = tempDir();
  const configDir = join(root, 'a');
  mkdirSync(configDir);
  await assert.rejects(
    loadPlugins({ specifiers: ['ungreedy-strategy-missing'], configDir }),
    rejects('UNG_ERR_PLUGIN_NOT_FOUND', (data) => {
      assert.equal(data['specifier'], 'ungreedy-strategy-missing');
      const looked = data['looked'] as string[];
      assert.equal(looked[0], join(configDir, 'node_modules'));
      assert.ok(looked.includes(join(root, 'node_modules')));
      // then from core's own location upwards
      assert.ok(looked.some((p) => here.startsWith(dirname(p))), looked.join('\n'));
    }),
  );
  await assert.rejects(loadPlugins({ specifiers: ['./nowhere'], configDir }), rejects('UNG_ERR_PLUGIN_NOT_FOUND', (data) => {
    assert.deepEqual(data['looked'], [join(configDir, 'nowhere')]);
  }));
});

test('a plugin built for another core API is refused, naming both versions', async () => {
  const root = tempDir();
  writePackage(root, 'ungreedy-strategy-future', manifest('ungreedy-strategy-future', '', '^3.0.0'));
  await assert.rejects(
    loadPlugins({ specifiers: ['ungreedy-strategy-future'], configDir: root }),
    rejects('UNG_ERR_PLUGIN_CORE_RANGE', (data) => {
      assert.deepEqual(data, { plugin: 'ungreedy-strategy-future', pluginVersion: '1.2.3', range: '^3.0.0', coreVersion: '2.0.0' });
    }),
  );
  // Fastify's test: pretend the installed core is 99.0.0.
  const registry = createPluginRegistry('99.0.0');
  await assert.rejects(
    loadPlugins({ specifiers: [relative(root, fixture)], configDir: root, registry }),
    rejects('UNG_ERR_PLUGIN_CORE_RANGE', (data) => {
      assert.equal(data['range'], '^2.0.0');
      assert.equal(data['coreVersion'], '99.0.0');
    }),
  );
});

test('duplicate component ids are refused, naming both plugins', async () => {
  const root = tempDir();
  writePackage(root, 'ungreedy-strategy-a', manifest('ungreedy-strategy-a'));
  writePackage(root, 'ungreedy-strategy-b', manifest('ungreedy-strategy-b'));
  await assert.rejects(
    loadPlugins({ specifiers: ['ungreedy-strategy-a', 'ungreedy-strategy-b'], configDir: root }),
    rejects('UNG_ERR_PLUGIN_DUPLICATE_ID', (data) => {
      assert.equal(data['kind'], 'strategies');
      assert.equal(data['id'], 'foo');
      assert.deepEqual(data['plugins'], ['ungreedy-strategy-a', 'ungreedy-strategy-b']);
    }),
  );
});

test('the same plugin listed twice loads once', async () => {
  const root = tempDir();
  writePackage(root, 'ungreedy-strategy-a', manifest('ungreedy-strategy-a'));
  const registry = await loadPlugins({ specifiers: ['ungreedy-strategy-a', 'ungreedy-strategy-a'], configDir: root });
  assert.equal(registry.plugins.length, 1);
});

test('malformed manifests are refused, naming the field', async () => {
  const root = tempDir();
  const cases: [string, string][] = [
    ['42', 'default export'],
    ['{ strategies: {} }', 'meta'],
    ["{ meta: { name: 'p', version: '1.0.0' } }", 'meta.coreApi'],
    ["{ meta: { name: 'p', version: 'one', coreApi: '^2.0.0' } }", 'meta.version'],
    ["{ meta: { name: 'p', version: '1.0.0', coreApi: 'not a range!' } }", 'meta.coreApi'],
    ["{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, strategy: {} }", 'strategy'],
    [`{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, strategies: { s: { meta: { docs: { description: 'd' }, defaultOptions: {} }, create() {} } } }`, 'strategies.s.meta.schema'],
    [`{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, datasets: { d: { meta: { docs: { description: 'd' }, defaultOptions: {}, schema: {} } } } }`, 'datasets.d.create'],
    [`{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, commands: { 'run/x': { meta: { docs: { description: 'd', usage: 'u' } }, run() {} } } }`, 'commands.run/x'],
    [`{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, commands: { 'make/x': { meta: { docs: { description: 'd', usage: 'u' }, options: { out: { type: 'path', description: 'o' } } }, run() {} } } }`, 'commands.make/x.meta.options.out.type'],
    [`{ meta: { name: 'p', version: '1.0.0', coreApi: '^2.0.0' }, commands: { 'make/x': { meta: { docs: { description: 'd', usage: 'u' }, options: { out: { type: 'string' } } }, run() {} } } }`, 'commands.make/x.meta.options.out.description'],
  ];
  for (const [i, [source, field]] of cases.entries()) {
    writePackage(root, `bad-${i}`, source);
    await assert.rejects(
      loadPlugins({ specifiers: [`bad-${i}`], configDir: root }),
      rejects('UNG_ERR_PLUGIN_INVALID', (data) => assert.equal(data['field'], field, source)),
    );
  }
  const dir = join(root, 'node_modules', 'no-default');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'no-default', type: 'module' }));
  writeFileSync(join(dir, 'index.js'), 'export const plugin = {};\n');
  await assert.rejects(importPlugin('no-default', root), rejects('UNG_ERR_PLUGIN_INVALID', (d) => assert.equal(d['field'], 'default export')));
  const throwing = join(root, 'throws.js');
  writeFileSync(throwing, "throw new Error('boom');\n");
  await assert.rejects(importPlugin('./throws.js', root), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_PLUGIN_INVALID'));
    assert.equal(err.data['field'], 'module');
    assert.equal((err.cause as Error).message, 'boom');
    return true;
  });
});

test('a plugin whose dependency is not loaded before it is refused', async () => {
  const root = tempDir();
  writePackage(root, 'needs-base', manifest('needs-base', ", dependencies: ['base-plugin']"));
  writePackage(root, 'base-plugin', manifest('base-plugin', '', '^2.0.0', strategy('base')));
  await assert.rejects(
    loadPlugins({ specifiers: ['needs-base', 'base-plugin'], configDir: root }),
    rejects('UNG_ERR_PLUGIN_DEPENDENCY', (data) => {
      assert.equal(data['plugin'], 'needs-base');
      assert.equal(data['dependency'], 'base-plugin');
    }),
  );
  const registry = await loadPlugins({ specifiers: ['base-plugin', 'needs-base'], configDir: root });
  assert.deepEqual(registry.ids('strategies').filter((id) => id !== 'vanilla'), ['base', 'foo']);
});

test('registry.add rejects atomically: a failing plugin registers none of its ids', () => {
  const registry = createPluginRegistry();
  const ok: PluginManifest = { meta: { name: 'a', version: '1.0.0', coreApi: '^2.0.0' }, strategies: {} };
  registry.add({ manifest: ok, specifier: 'a', resolvedFrom: 'a' });
  const contribution = { meta: { docs: { description: 'd' }, defaultOptions: {}, schema: {} }, create: () => ({ evaluationMode: 'regular' as const }) };
  registry.add({ manifest: { meta: { name: 'b', version: '1.0.0', coreApi: '^2.0.0' }, strategies: { x: contribution } }, specifier: 'b', resolvedFrom: 'b' });
  assert.throws(() =>
    registry.add({
      manifest: { meta: { name: 'c', version: '1.0.0', coreApi: '^2.0.0' }, datasets: { y: contribution as never }, strategies: { x: contribution } },
      specifier: 'c',
      resolvedFrom: 'c',
    }),
  );
  assert.equal(registry.find('datasets', 'y'), undefined);
  assert.deepEqual(registry.plugins.map((p) => p.manifest.meta.name), ['a', 'b']);
});

test('resolvePluginEntry reads main when a package has no exports', () => {
  const root = tempDir();
  const dir = join(root, 'node_modules', 'old-style');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'old-style', main: 'main.js' }));
  writeFileSync(join(dir, 'main.js'), '');
  assert.equal(resolvePluginEntry('old-style', root), join(dir, 'main.js'));
});
