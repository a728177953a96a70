// End to end through the `ungreedy` command line, on generated data:
//   ungreedy datasets make modelnet40-mini --out <out>/data ...
//   ungreedy run <out>/modelnet40-mini.yaml --backend cpu
// where the config is recipes/modelnet40-mini.yaml with the data root, the sizes and the epochs shrunk.
// Prints {"code", "runDir", "summary"} as JSON on the last line.
//   node --conditions=ungreedy-development --import tsx scripts/e2e-mini.mts [--out DIR] [--epochs 8] [--size 16] [--per-class 6] [--layout mvcnn|off]
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '@ungreedy/core/app';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { out: { type: 'string' }, epochs: { type: 'string' }, size: { type: 'string' }, layout: { type: 'string' }, 'per-class': { type: 'string' } },
});
const out = values.out ?? (await mkdtemp(join(tmpdir(), 'mn40-e2e-')));
const size = values.size ?? '16';
const layout = values.layout ?? 'mvcnn';
const perClass = values['per-class'] ?? '6';
const lines: string[] = [];
const io = {
  out: (line: string) => lines.push(line),
  err: (line: string) => lines.push(line),
  cwd: out,
  env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent', UNGREEDY_CACHE_DIR: join(out, 'cache') },
  isTTY: false,
};
const fail = (code: number) => {
  console.error(lines.join('\n'));
  console.log(JSON.stringify({ code }));
  process.exit(1);
};

let code = await main(
  ['datasets', 'make', 'modelnet40-mini', '--out', 'data', '--classes', '3', '--per-class-train', perClass, '--per-class-test', String(Math.ceil(Number(perClass) / 2)), '--size', size, '--views', '0,6'],
  io,
);
if (code !== 0) fail(code);

const recipe = parseYaml(await readFile(join(here, '../../../recipes/modelnet40-mini.yaml'), 'utf8'));
recipe.dataset.options = { ...recipe.dataset.options, root: `data/${layout}`, layout, renderSize: Number(size), renderJobs: 1 };
recipe.model.encoders = [{ use: 'cnn', options: { channels: [4, 8, 8] } }];
recipe.train = { ...recipe.train, epochs: Number(values.epochs ?? 8), batchSize: 6, evalBatchSize: 16 };
// With 3 validation objects the best-validation checkpoint is noise; judge the last one.
recipe.metrics = { ...recipe.metrics, evaluateCheckpoint: 'last' };
recipe.output = { dir: 'runs' };
await writeFile(join(out, 'modelnet40-mini.yaml'), stringifyYaml(recipe));
// The process env, not io.env, is what the engine reads for the cache folder.
process.env['UNGREEDY_CACHE_DIR'] = join(out, 'cache');
code = await main(['run', 'modelnet40-mini.yaml', '--backend', process.env['UNGREEDY_TEST_BACKEND'] || 'wasm'], io);
if (code !== 0) fail(code);
const runDir = join(out, 'runs', (await readdir(join(out, 'runs')))[0]!);
const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8'));
console.log(JSON.stringify({ code, runDir, summary }));
