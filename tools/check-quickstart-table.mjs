#!/usr/bin/env node
// The README's quickstart tables are the code's output, on the kernels each names:
//   node tools/check-quickstart-table.mjs              the README's two tables equal the shipped result files
//   node tools/check-quickstart-table.mjs <matrixDir>  a quickstart just run (runs/quickstart) produced, byte for byte,
//                                                      the shipped table of the kernels it ran on (read from its
//                                                      run manifests: native oneDNN kernels or pure wasm)
// Shipped results: recipes/results/quickstart-results.md (native kernels, one thread per run) and
// recipes/results/quickstart-results-wasm.md (pure wasm, UNGREEDY_NATIVE=off). tools/check-front-door.sh runs the
// second form after `npm start`; tools/check-readme.test.ts runs the first in `npm test`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
export const SHIPPED = {
  native: join(root, 'recipes', 'results', 'quickstart-results.md'),
  wasm: join(root, 'recipes', 'results', 'quickstart-results-wasm.md'),
};

/** The markdown table of a results.md (its `|` lines) and the line after it. */
export function tableOf(markdown) {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|  | seeds'));
  if (start === -1) return undefined;
  let end = start;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  const after = lines.slice(end).find((l) => l.trim() !== '');
  return [...lines.slice(start, end), ...(after?.startsWith('Other uni-modal') ? [after] : [])].join('\n');
}

/** `native` when a run of the matrix trained with the native kernels (its manifest's backend reason says so). */
export function kernelsOf(matrixDir) {
  const kinds = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path);
      else if (name.name === 'manifest.json') {
        const reason = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')).backend ?? '');
        kinds.add(/native kernels \(oneDNN/.test(reason) ? 'native' : /wasm/.test(reason) ? 'wasm' : 'other');
      }
    }
  };
  walk(matrixDir);
  return kinds;
}

/** The README's table under the heading line that names the kernels (`<!-- quickstart-table:native -->`). */
export function readmeTable(readme, kernels) {
  const marker = `<!-- quickstart-table:${kernels} -->`;
  const at = readme.indexOf(marker);
  return at === -1 ? undefined : tableOf(readme.slice(at + marker.length).replace(/^\s*\n/, ''));
}

function fail(message) {
  console.error(`check-quickstart-table: ${message}`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const matrixDir = process.argv[2];
  if (matrixDir === undefined) {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const [kernels, file] of Object.entries(SHIPPED)) {
      const shipped = tableOf(readFileSync(file, 'utf8'));
      const shown = readmeTable(readme, kernels);
      if (shown === undefined) fail(`README.md has no table after <!-- quickstart-table:${kernels} -->`);
      if (shown !== shipped) fail(`README.md's ${kernels} table differs from ${file}:\n--- README\n${shown}\n--- ${file}\n${shipped}`);
    }
    console.log('check-quickstart-table: the README shows the shipped native and pure-wasm tables');
  } else {
    const results = join(matrixDir, 'results.md');
    if (!existsSync(results)) fail(`${results} does not exist: run the quickstart first`);
    const kinds = kernelsOf(matrixDir);
    if (kinds.size !== 1 || kinds.has('other')) fail(`the runs under ${matrixDir} did not all train on one kind of wasm kernels (${[...kinds].join(', ')})`);
    const [kernels] = kinds;
    const produced = tableOf(readFileSync(results, 'utf8'));
    const shipped = tableOf(readFileSync(SHIPPED[kernels], 'utf8'));
    if (produced !== shipped) {
      fail(`the quickstart on the ${kernels} kernels produced a table other than the shipped ${SHIPPED[kernels]}:\n--- produced\n${produced}\n--- shipped\n${shipped}\n` +
        'If the change is intended, copy results.md there and update the README (same table, same wording).');
    }
    console.log(`check-quickstart-table: ${results} equals the shipped ${kernels} table`);
  }
}
