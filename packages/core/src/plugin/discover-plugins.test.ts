import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverInstalledPlugins } from './discover-plugins.js';

function install(nodeModules: string, name: string, keywords: string[]): void {
  mkdirSync(join(nodeModules, name), { recursive: true });
  writeFileSync(join(nodeModules, name, 'package.json'), JSON.stringify({ name, version: '1.0.0', keywords }));
}

test('finds packages with the ungreedy-plugin keyword in every node_modules above the start folders', () => {
  const root = mkdtempSync(join(tmpdir(), 'ungreedy-discover-'));
  const project = join(root, 'project');
  install(join(root, 'node_modules'), 'ungreedy-strategy-up', ['ungreedy-plugin']);
  install(join(project, 'node_modules'), '@acme/ungreedy-dataset-x', ['ungreedy', 'ungreedy-plugin']);
  install(join(project, 'node_modules'), 'left-pad', ['string']);
  install(join(project, 'node_modules'), 'ungreedy-strategy-up', ['ungreedy-plugin']);
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(join(project, 'node_modules', 'not-a-package'), { recursive: true });
  mkdirSync(join(project, 'sub'), { recursive: true });
  assert.deepEqual(discoverInstalledPlugins([join(project, 'sub')]), ['@acme/ungreedy-dataset-x', 'ungreedy-strategy-up']);
  assert.deepEqual(discoverInstalledPlugins([join(root, 'elsewhere')]).includes('@acme/ungreedy-dataset-x'), false);
});
