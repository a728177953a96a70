import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverInstalledPlugins } from './discover-plugins.js';

function pkg(dir: string, body: Record<string, unknown> | string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), typeof body === 'string' ? body : JSON.stringify(body));
}

test('discoverInstalledPlugins finds packages with the ungreedy-plugin keyword, scoped or not, nearest first', () => {
  const root = mkdtempSync(join(tmpdir(), 'ungreedy-discover-'));
  try {
    const project = join(root, 'project');
    pkg(join(project, 'node_modules', 'ungreedy-strategy-foo'), { name: 'ungreedy-strategy-foo', version: '1.2.0', keywords: ['ungreedy-plugin'] });
    pkg(join(project, 'node_modules', '@lab', 'ungreedy-dataset-bar'), { name: '@lab/ungreedy-dataset-bar', version: '0.1.0', keywords: ['x', 'ungreedy-plugin'] });
    pkg(join(project, 'node_modules', 'left-pad'), { name: 'left-pad', version: '1.0.0', keywords: ['ungreedy'] });
    pkg(join(project, 'node_modules', 'broken'), '{ not json');
    pkg(join(project, 'node_modules', 'no-keywords'), { name: 'no-keywords', version: '1.0.0' });
    // An ancestor's node_modules is searched too (as Node does), but the nearer copy wins.
    pkg(join(root, 'node_modules', 'ungreedy-strategy-foo'), { name: 'ungreedy-strategy-foo', version: '0.9.0', keywords: ['ungreedy-plugin'] });
    pkg(join(root, 'node_modules', 'ungreedy-strategy-baz'), { name: 'ungreedy-strategy-baz', version: '2.0.0', keywords: ['ungreedy-plugin'] });
    const found = discoverInstalledPlugins([join(project, 'src')]);
    assert.deepEqual(found.map((p) => `${p.name}@${p.version}`), ['@lab/ungreedy-dataset-bar@0.1.0', 'ungreedy-strategy-baz@2.0.0', 'ungreedy-strategy-foo@1.2.0']);
    assert.equal(found[2]!.dir, join(project, 'node_modules', 'ungreedy-strategy-foo'));
    assert.deepEqual(discoverInstalledPlugins([join(root, 'elsewhere')]).map((p) => p.name), ['ungreedy-strategy-baz', 'ungreedy-strategy-foo']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
