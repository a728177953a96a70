import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPlugin } from './check-plugin.js';
import type { PluginManifest } from '../contract/plugin/manifest.js';

const manifest: PluginManifest = { meta: { name: 'ungreedy-strategy-foo', version: '1.2.0', coreApi: '^2.0.0' } };
const pkg = { name: 'ungreedy-strategy-foo', version: '1.2.0', peerDependencies: { '@ungreedy/core': '^2.0.0' } };

test('a plugin whose package.json agrees with its manifest passes', () => {
  assert.deepEqual(checkPlugin(manifest, { packageJson: pkg }), []);
  assert.deepEqual(checkPlugin(manifest, { packageJson: { ...pkg, peerDependencies: { '@ungreedy/core': '>=2.0.0 <3.0.0-0' } } }), []);
});

test('a peer range that disagrees with coreApi, or is missing, is flagged', () => {
  const drift = checkPlugin(manifest, { packageJson: { ...pkg, peerDependencies: { '@ungreedy/core': '^1.0.0' } } });
  assert.equal(drift.length, 1);
  assert.match(drift[0]!, /^package\.json peerDependencies\["@ungreedy\/core"\]: .*"\^1\.0\.0"/);
  const missing = checkPlugin(manifest, { packageJson: { name: pkg.name, version: pkg.version } });
  assert.equal(missing.length, 1);
  assert.match(missing[0]!, /it is missing/);
});

test('name and version must match package.json', () => {
  const problems = checkPlugin(manifest, { packageJson: { ...pkg, name: 'other', version: '9.9.9' } });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['meta.name', 'meta.version']);
});

test('a manifest built for another core is refused before anything else', () => {
  const problems = checkPlugin(manifest, { coreVersion: '3.0.0' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^UNG_ERR_PLUGIN_CORE_RANGE/);
});
