import { existsSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { UngreedyError } from '../../errors.js';
import { displayPath } from '../../config/format-issues.js';
import type { CliCommand } from '../cli-command.js';
import { parseCliArgs } from '../parse-cli-args.js';

/**
 * The starter experiment: the paper's diagnostic Colored-and-gray MNIST, two small CNN branches with MMTM,
 * and the guided strategy. Ids are those of the first-party packages; `ungreedy plugins` lists what is
 * installed, and `ungreedy validate` checks the file.
 */
export function starterConfig(schemaPath: string): Record<string, unknown> {
  return {
    $schema: schemaPath,
    name: 'cmnist-guided',
    seed: 1,
    backend: 'auto',
    plugins: ['@ungreedy/dataset-colored-mnist', '@ungreedy/strategy-guided'],
    dataset: { use: 'colored-mnist', options: {} },
    model: {
      encoders: [{ use: 'cnn', options: {} }],
      fusion: { use: 'mmtm', options: {}, after: [1] },
    },
    strategy: { use: 'guided', options: {} },
    train: { epochs: 10, batchSize: 64, optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9 }, scheduler: { type: 'none' } },
    output: { dir: 'runs' },
  };
}

export const initCommand: CliCommand = {
  summary: 'Write a starter experiment config (JSON, or YAML for a .yaml/.yml name)',
  usage: `Usage: ungreedy init [file] [--force]

Writes a starter config to [file] (default ungreedy.config.json): Colored-and-gray MNIST, two CNN
branches with MMTM fusion, the guided strategy. Its "$schema" lets editors complete and check it.

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
    return 0;
  },
};
