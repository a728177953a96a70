#!/usr/bin/env node
// The README's quickstart tables are the code's output, on the kernels each names:
//   node tools/check-quickstart-table.mjs              the README's two tables equal the shipped result files
//   node tools/check-quickstart-table.mjs <matrixDir>  a quickstart just run (runs/quickstart) produced, byte for byte,
//                                                      the shipped table of the kernels it ran on (read from its
//                                                      run manifests: native oneDNN kernels or pure wasm)
// Shipped results: recipes/results/quickstart-results.md (native kernels, one thread per run) and
// recipes/results/quickstart-results-wasm.md (pure wasm, UNGREEDY_NATIVE=off). tools/check-front-door.sh runs the
// second form after `npm start`; tools/check-readme.test.ts runs the first in `npm test`.
// The README's zoo section (between <!-- zoo-table:native --> and <!-- /zoo-table -->) is, likewise, the table and
// the strategy-metrics lines of recipes/results/zoo-results.md (`npx ungreedy compare recipes/zoo.yaml --jobs 2`,
// native kernels); the second form checks a zoo folder (runs/zoo) against that file.
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

export const ZOO_SHIPPED = join(root, 'recipes', 'results', 'zoo-results.md');

/**
 * The zoo's block of a results.md: from its table's header through the strategy-metrics lines, up to (not
 * including) the closing "Mean ± sample std" note; trailing blank lines dropped.
 */
export function zooBlockOf(markdown) {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|  | seeds'));
  if (start === -1) return undefined;
  let end = lines.findIndex((l, i) => i > start && (l.startsWith('Mean ± sample std') || l.startsWith('<!-- /zoo-table')));
  if (end === -1) end = lines.length;
  while (end > start && lines[end - 1].trim() === '') end--;
  return lines.slice(start, end).join('\n');
}

/** The README's zoo block: what stands between `<!-- zoo-table:native -->` and `<!-- /zoo-table -->`. */
export function readmeZooBlock(readme) {
  const marker = '<!-- zoo-table:native -->';
  const at = readme.indexOf(marker);
  if (at === -1 || readme.indexOf('<!-- /zoo-table -->', at) === -1) return undefined;
  return zooBlockOf(readme.slice(at + marker.length));
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
    const zoo = zooBlockOf(readFileSync(ZOO_SHIPPED, 'utf8'));
    const shownZoo = readmeZooBlock(readme);
    if (shownZoo === undefined) fail('README.md has no zoo table between <!-- zoo-table:native --> and <!-- /zoo-table -->');
    if (shownZoo !== zoo) fail(`README.md's zoo table differs from ${ZOO_SHIPPED}:\n--- README\n${shownZoo}\n--- ${ZOO_SHIPPED}\n${zoo}`);
    console.log('check-quickstart-table: the README shows the shipped native and pure-wasm quickstart tables and the zoo table');
  } else {
    const results = join(matrixDir, 'results.md');
    if (!existsSync(results)) fail(`${results} does not exist: run the quickstart first`);
    const kinds = kernelsOf(matrixDir);
    if (kinds.size !== 1 || kinds.has('other')) fail(`the runs under ${matrixDir} did not all train on one kind of wasm kernels (${[...kinds].join(', ')})`);
    const [kernels] = kinds;
    const markdown = readFileSync(results, 'utf8');
    if (markdown.startsWith('# zoo\n')) {
      if (kernels !== 'native') fail(`the zoo's shipped table is for the native kernels; ${matrixDir} ran on ${kernels}`);
      const produced = zooBlockOf(markdown);
      const shipped = zooBlockOf(readFileSync(ZOO_SHIPPED, 'utf8'));
      if (produced !== shipped) fail(`the zoo produced a table other than the shipped ${ZOO_SHIPPED}:\n--- produced\n${produced}\n--- shipped\n${shipped}`);
      console.log(`check-quickstart-table: ${results} equals the shipped zoo table`);
      process.exit(0);
    }
    const produced = tableOf(markdown);
    const shipped = tableOf(readFileSync(SHIPPED[kernels], 'utf8'));
    if (produced !== shipped) {
      fail(`the quickstart on the ${kernels} kernels produced a table other than the shipped ${SHIPPED[kernels]}:\n--- produced\n${produced}\n--- shipped\n${shipped}\n` +
        'If the change is intended, copy results.md there and update the README (same table, same wording).');
    }
    console.log(`check-quickstart-table: ${results} equals the shipped ${kernels} table`);
  }
}
