// Runs a recipe for several strategies and seeds through core's runExperiment (what `ungreedy run` does per
// run) and prints one JSON line per run with its summary:
//   node --conditions=ungreedy-development --import tsx scripts/run-recipe.ts ../../recipes/colored-mnist-quick.yaml \
//     [--strategies vanilla,guided] [--seeds 1,2,3] [--epochs N] [--backend cpu]
// Run folders: <recipe dir>/<output.dir>/<name>-<strategy>-seed<seed>.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigFile, resolveExperiment, runExperiment } from '@ungreedy/core/engine';
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
const file = await loadConfigFile(resolve(recipe));
const raw = file.raw as Record<string, any>;
const strategies = (opt('strategies') ?? raw['strategy']?.use ?? 'vanilla').split(',');
const seeds = (opt('seeds') ?? String(raw['seed'] ?? 0)).split(',').map(Number);
const log = silentLogger();
for (const strategy of strategies) {
  for (const seed of seeds) {
    const input = structuredClone(raw);
    input['strategy'] = { use: strategy, options: strategy === raw['strategy']?.use ? (raw['strategy']?.options ?? {}) : {} };
    input['seed'] = seed;
    input['output'] = { ...input['output'], runName: `${raw['name']}-${strategy}-seed${seed}` };
    if (opt('epochs')) input['train'] = { ...input['train'], epochs: Number(opt('epochs')) };
    if (opt('backend')) input['backend'] = opt('backend');
    const experiment = await resolveExperiment(input, { file: file.file, configDir: file.dir });
    const parent = resolve(experiment.configDir, experiment.config.output.dir);
    rmSync(join(parent, experiment.config.output.runName!), { recursive: true, force: true });
    const outcome = await runExperiment({ experiment, target: { parent }, log, progress: 'none' });
    console.log(JSON.stringify({ backend: outcome.backend.name, strategy, seed, status: outcome.status, dir: outcome.runDir, summary: outcome.summary, error: outcome.error ? String(outcome.error) : null }));
  }
}
