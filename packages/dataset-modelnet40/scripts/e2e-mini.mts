// End to end on generated data: `makeModelNet40Mini` + recipes/modelnet40-mini.yaml (shrunk by the flags)
// trained by core's `trainExperiment` on the cpu backend. Prints the run summary as JSON on the last line.
//   node --conditions=development --import tsx scripts/e2e-mini.mts [--out DIR] [--epochs 2] [--size 16]
//     [--classes 3] [--per-class-train 6] [--per-class-test 3] [--layout mvcnn|off]
// Core does not export the engine from its package entry yet, so this imports core's sources by path.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { buildModel, RngStreams, systemClock } from '@ungreedy/core';
import { silentLogger } from '@ungreedy/core/testing';
import { resolveExperiment } from '../../core/src/config/load-experiment.js';
import { selectBackend } from '../../core/src/backend/select-backend.js';
import { FileRunStore } from '../../core/src/run/file-run-store.js';
import { trainExperiment } from '../../core/src/trainer/train-experiment.js';
import { makeModelNet40Mini } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    epochs: { type: 'string' },
    size: { type: 'string' },
    classes: { type: 'string' },
    'per-class-train': { type: 'string' },
    'per-class-test': { type: 'string' },
    layout: { type: 'string' },
  },
});
const out = values.out ?? (await mkdtemp(join(tmpdir(), 'mn40-e2e-')));
const layout = (values.layout ?? 'mvcnn') as 'mvcnn' | 'off';
const size = Number(values.size ?? 16);
const data = await makeModelNet40Mini({
  out: join(out, 'data'),
  classes: Number(values.classes ?? 3),
  perClassTrain: Number(values['per-class-train'] ?? 6),
  perClassTest: Number(values['per-class-test'] ?? 3),
  size,
  views: [0, 6],
});

const recipeFile = join(here, '../../../recipes/modelnet40-mini.yaml');
const recipe = parseYaml(await readFile(recipeFile, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
recipe['backend'] = 'cpu';
recipe['dataset']['options'] = {
  ...recipe['dataset']['options'],
  root: layout === 'off' ? data.offRoot : data.mvcnnRoot,
  layout,
  renderSize: size,
  renderJobs: 1,
};
recipe['model']['encoders'] = [{ use: 'cnn', options: { channels: [4, 8, 8] } }];
recipe['train'] = { ...recipe['train'], epochs: Number(values.epochs ?? 2), batchSize: 6, evalBatchSize: 16 };
recipe['output'] = { dir: join(out, 'runs') };

const log = silentLogger();
process.env['UNGREEDY_CACHE_DIR'] = join(out, 'cache');
const { config, registry, configDir } = await resolveExperiment(recipe, { file: recipeFile, configDir: dirname(recipeFile), log });
await selectBackend(config.backend, log);
const store = new FileRunStore(join(out, 'runs', config.name));
const summary = await trainExperiment({
  config,
  configDir,
  registry,
  store,
  rng: new RngStreams(config.seed),
  log,
  clock: systemClock,
  resume: false,
  progress: 'none',
  // Named explicitly until core's trainer defaults to it on main.
  buildModel,
});
console.log(JSON.stringify({ runDir: store.dir, summary }));
