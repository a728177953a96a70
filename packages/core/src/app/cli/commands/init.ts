import { existsSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { UngreedyError } from '../../../contract/errors/errors.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import type { CliCommand } from '../cli-command.js';
import { parseCliArgs } from '../../../contract/cli/parse-cli-args.js';

/**
 * The starter experiment: the paper's diagnostic Colored-and-gray MNIST, two small CNN branches with MMTM,
 * and the guided strategy, at the scale of one quickstart run (recipes/quickstart.yaml's `base`; a test keeps them
 * equal), so it finishes in seconds on a laptop's CPU: {@link STARTER_TIME}. Ids are those of the first-party
 * packages; `ungreedy plugins` lists what is installed, and `ungreedy validate` checks the file.
 */
export function starterConfig(schemaPath: string): Record<string, unknown> {
  return {
    $schema: schemaPath,
    name: 'cmnist-guided',
    seed: 1,
    backend: 'auto',
    plugins: ['@ungreedy/dataset-colored-mnist', '@ungreedy/strategy-guided'],
    dataset: {
      use: 'colored-mnist',
      options: { imageSize: 14, trainSize: 5000, valSize: 1000, testSize: 2000, trainColorStd: 0.1, testColors: 'random', valColors: 'as-train' },
    },
    model: {
      encoders: [{ use: 'cnn', options: { channels: [16, 32] } }],
      fusion: { use: 'mmtm', options: { ratio: 4 }, after: [0, 1] },
    },
    strategy: { use: 'guided', options: {} },
    train: {
      epochs: 5,
      batchSize: 64,
      evalBatchSize: 500,
      optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false },
      scheduler: { type: 'none' },
      completedStopping: 0,
    },
    metrics: { utilization: true, evaluateCheckpoint: 'best' },
    output: { dir: 'runs' },
  };
}

/**
 * How long `ungreedy run` takes on the starter config: measured 28 s of CPU time on an x86-64 core without the native
 * kernels (one run of the quickstart, whose 18 runs the README times), the wall time of an otherwise idle machine;
 * with them, the quickstart's guided runs take 11–12 s each (their summary.json's `seconds`, two runs at once on 2 cores).
 */
export const STARTER_TIME = 'about 30 s on an idle 2-core machine without the native kernels, about 12 s with them';

export const initCommand: CliCommand = {
  summary: 'Write a starter experiment config (JSON, or YAML for a .yaml/.yml name)',
  usage: `Usage: ungreedy init [file] [--force]

Writes a starter config to [file] (default ungreedy.config.json): Colored-and-gray MNIST, two CNN
branches with MMTM fusion, the guided strategy, at the scale of one quickstart run (${STARTER_TIME}).
Its "$schema" lets editors complete and check it.

  --force   overwrite an existing file`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('init', args, { force: { type: 'boolean' } }, 1);
    const file = resolve(ctx.cwd, positionals[0] ?? 'ungreedy.config.json');
    if (existsSync(file) && !values.force) {
      throw new UngreedyError(
        'UNG_ERR_CLI_USAGE',
        `ungreedy init must not overwrite ${displayPath(file)}, but it exists. Fix: pick another name or pass --force.`,
        { command: 'init', argument: file },
      );
    }
    const config = starterConfig('./node_modules/@ungreedy/core/schema/config.schema.json');
    const ext = extname(file).toLowerCase();
    if (ext === '.yaml' || ext === '.yml') {
      const { $schema, ...rest } = config;
      writeFileSync(file, `# yaml-language-server: $schema=${String($schema)}\n${stringify(rest)}`);
    } else {
      writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    }
    ctx.out(`Wrote ${displayPath(file)}. Next: npx ungreedy validate ${displayPath(file)} && npx ungreedy run ${displayPath(file)}`);
    ctx.out(`The run takes ${STARTER_TIME}; raise dataset.options.trainSize and train.epochs for a longer one.`);
    return 0;
  },
};
