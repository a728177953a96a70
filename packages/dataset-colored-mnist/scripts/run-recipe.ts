// Runs a recipe through ungreedy's engine until the CLI lands, and prints one JSON summary line per run:
//   node --conditions=development --import tsx scripts/run-recipe.ts ../../recipes/colored-mnist-quick.yaml \
//     [--strategies vanilla,guided] [--seeds 1,2,3] [--epochs N] [--backend cpu]
// Run folders go to <recipe dir>/<output.dir>/<name>-<strategy>-seed<seed>.
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { loadConfigFile } from '../../core/src/config/load-config-file.js';
import { resolveExperiment } from '../../core/src/config/load-experiment.js';
import { selectBackend } from '../../core/src/backend/select-backend.js';
import { FileRunStore } from '../../core/src/run/file-run-store.js';
import { RngStreams } from '../../core/src/rng/rng.js';
import { systemClock } from '../../core/src/util/clock.js';
import { trainExperiment } from '../../core/src/trainer/train-experiment.js';
import { buildModel } from '../../core/src/model/build-model.js';
import { silentLogger } from '@ungreedy/core/testing';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const recipe = args[0];
if (!recipe) {
  console.error('usage: run-recipe.ts <recipe.yaml> [--strategies a,b] [--seeds 1,2] [--epochs N] [--backend cpu]');
  process.exit(2);
}
process.on('uncaughtException', (err) => {
  console.error(String(err));
  process.exit(1);
});
const file = await loadConfigFile(resolve(recipe));
const raw = file.raw as Record<string, any>;
const strategies = (opt('strategies') ?? raw['strategy']?.use ?? 'vanilla').split(',');
const seeds = (opt('seeds') ?? String(raw['seed'] ?? 0)).split(',').map(Number);
const log = silentLogger();
let backendName: string | null = null;
for (const strategy of strategies) {
  for (const seed of seeds) {
    const input = structuredClone(raw);
    input['strategy'] = { use: strategy, options: strategy === raw['strategy']?.use ? (raw['strategy']?.options ?? {}) : {} };
    input['seed'] = seed;
    if (opt('epochs')) input['train'] = { ...input['train'], epochs: Number(opt('epochs')) };
    if (opt('backend')) input['backend'] = opt('backend');
    const { config, registry, configDir } = await resolveExperiment(input, { file: file.file, configDir: file.dir });
    if (backendName === null) backendName = (await selectBackend(config.backend, log)).name;
    const dir = join(configDir, config.output.dir, `${config.name}-${strategy}-seed${seed}`);
    rmSync(dir, { recursive: true, force: true });
    const started = Date.now();
    const summary = await trainExperiment({
      config,
      configDir,
      registry,
      store: new FileRunStore(dir),
      rng: new RngStreams(config.seed),
      log,
      clock: systemClock,
      resume: false,
      progress: 'none',
      // Passed explicitly: the engine's default builder was still a placeholder when this script was written.
      buildModel,
    });
    console.log(JSON.stringify({ backend: backendName, strategy, seed, seconds: (Date.now() - started) / 1000, dir, summary }));
  }
}
