#!/usr/bin/env node
// The folder-level import graph of a source tree and its cycles. A folder is a path under the root up to `depth`
// segments (a file directly in the root is a node of its own); an edge a → b means a non-test file in a imports
// (relatively, types included) a file in b. Cycles are reported as strongly connected components of more than
// one folder. Usage: node tools/folder-cycles.mjs <src folder> [depth]. Exit 1 when there is a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'test-fixtures' && name !== 'fixtures') out.push(...sourceFiles(path));
    } else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.test\.|\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** The folder graph of `root`: Map folder → Set of folders it imports from. */
export function folderGraph(root, depth = 1) {
  const folderOf = (file) => {
    const parts = relative(root, dirname(file)).split(sep).filter(Boolean);
    // A file directly in the root (index.ts) is a node of its own, not one "." folder.
    return parts.length === 0 ? relative(root, file).replace(/\.js$/, '.ts') : parts.slice(0, depth).join('/');
  };
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1] ?? m[2]);
      if (relative(root, target).startsWith('..')) continue;
      const to = folderOf(target);
      if (to !== from) graph.get(from).add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan), each sorted, in sorted order. */
export function folderCycles(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const out = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index += 1;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!info.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [root = 'src', depth = '1'] = process.argv.slice(2);
  const graph = folderGraph(resolve(root), Number(depth));
  const cycles = folderCycles(graph);
  for (const scc of cycles) {
    const edges = scc.flatMap((a) => [...graph.get(a)].filter((b) => scc.includes(b)).map((b) => `${a}→${b}`));
    console.log(`cycle: ${scc.join(', ')}  (${edges.join(' ')})`);
  }
  console.log(`folder-cycles: ${graph.size} folders, ${cycles.length} cycles`);
  process.exit(cycles.length ? 1 : 0);
}
