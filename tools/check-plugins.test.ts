// STYLE.md H13: every contribution of a workspace plugin (and of core's built-ins) has a docs section and a
// test that names it. A new encoder, fusion block, strategy or dataset without either fails this check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginManifest } from '@ungreedy/core';

const root = join(import.meta.dirname, '..');
const KINDS = ['datasets', 'encoders', 'fusions', 'strategies'] as const;
// Core documents its built-ins by kind, one `## \`<id>\`` section each.
const CORE_DOCS: Record<(typeof KINDS)[number], string> = {
  datasets: 'docs/datasets.md',
  encoders: 'docs/encoders.md',
  fusions: 'docs/fusion.md',
  strategies: 'docs/strategies.md',
};

function testSources(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) text += testSources(path);
    else if (name.endsWith('.test.ts')) text += readFileSync(path, 'utf8');
  }
  return text;
}

// Core and the plugin packages (the `ungreedy-plugin` keyword); @ungreedy/backend contributes kernels, not plugins.
const isPlugin = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as { keywords?: string[] }).keywords?.includes('ungreedy-plugin') === true;
const packages = readdirSync(join(root, 'packages'))
  .filter((pkg) => pkg === 'core' || isPlugin(pkg))
  .sort();

for (const pkg of packages) {
  test(`${pkg}: every contribution has a docs section and a test that names it`, async () => {
    const dir = join(root, 'packages', pkg);
    const entry = pkg === 'core' ? join(dir, 'src', 'engine', 'assembly', 'builtins.ts') : join(dir, 'src', 'index.ts');
    const mod = (await import(entry)) as { default?: PluginManifest; builtinPlugin?: PluginManifest };
    const manifest = pkg === 'core' ? mod.builtinPlugin : mod.default;
    assert.ok(manifest, `${entry} should export a plugin manifest`);
    const tests = testSources(join(dir, 'src'));
    const missing: string[] = [];
    for (const kind of KINDS) {
      for (const id of Object.keys(manifest[kind] ?? {})) {
        const doc = pkg === 'core' ? join(dir, CORE_DOCS[kind]) : join(dir, 'docs', `${id}.md`);
        const documented = existsSync(doc) && (pkg !== 'core' || readFileSync(doc, 'utf8').includes(`## \`${id}\``));
        if (!documented) missing.push(`${kind}/${id}: no docs (${doc.slice(root.length + 1)})`);
        if (!tests.includes(`'${id}'`) && !tests.includes(`"${id}"`)) missing.push(`${kind}/${id}: no test names it`);
      }
    }
    assert.deepEqual(missing, []);
  });
}
