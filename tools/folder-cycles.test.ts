import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { folderCycles, folderGraph } from './folder-cycles.mjs';

const coreSrc = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core', 'src');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ungreedy-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('finds a folder-level cycle, and ignores tests and fixtures', () => {
  const root = tree({
    'a/x.ts': "import { y } from '../b/y.js';\nexport const x = y;\n",
    'b/y.ts': "import type { Z } from '../c/z.js';\nexport const y = 1 as unknown as Z;\n",
    'c/z.ts': "export type Z = number;\nexport { x } from '../a/x.js';\n",
    'd/w.ts': "export const w = 0;\n",
    'd/w.test.ts': "import { x } from '../a/x.js';\n",
    'a/test-fixtures/f.ts': "import { w } from '../../d/w.js';\n",
  });
  assert.deepEqual(folderCycles(folderGraph(root)), [['a', 'b', 'c']]);
  assert.deepEqual([...folderGraph(root).get('d')!], []);
});

test('core\'s layers (contract, engine, app, the kit) import in one direction only', () => {
  assert.deepEqual(folderCycles(folderGraph(coreSrc, 1)), []);
});

test('core\'s app layer: cli → report → compare, one direction (no cycle among app\'s folders)', () => {
  const graph = folderGraph(coreSrc, 2);
  assert.deepEqual(folderCycles(graph).filter((scc) => scc.some((f) => f.startsWith('app/'))), []);
  // compare (running and reading matrices) knows neither the CLI nor the report; it spawns the CLI's run-cell by path.
  const appEdges = (from: string) => [...(graph.get(from) ?? [])].filter((to) => to.startsWith('app/')).sort();
  assert.deepEqual(appEdges('app/compare'), []);
  assert.deepEqual(appEdges('app/report'), ['app/compare']);
});

// Core's layers whose folders are checked one level down (depth 2). A layer joins the list once its own folder
// cycle is broken (app: cli↔compare↔report; contract: its root files and subfolders).
const CLEAN_AT_DEPTH_2 = ['engine', 'app', 'contract'];

test('inside the clean layers, folders import in one direction only (depth 2)', () => {
  const inLayer = (folder: string): boolean => CLEAN_AT_DEPTH_2.some((layer) => folder === layer || folder.startsWith(`${layer}/`));
  const cycles = folderCycles(folderGraph(coreSrc, 2)).filter((scc) => scc.some(inLayer));
  assert.deepEqual(cycles, []);
});

test('the contract has no cycle among its own folders: the root index only re-exports them', () => {
  // At depth 2 the contract's root files are one node, "contract": a subfolder that imported a root file (as
  // errors.ts and version.ts once were) would close a cycle through the index that re-exports it.
  const cycles = folderCycles(folderGraph(coreSrc, 2)).filter((scc) => scc.some((f) => f === 'contract' || f.startsWith('contract/')));
  assert.deepEqual(cycles, []);
});
