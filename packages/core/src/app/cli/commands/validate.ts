import type { CliCommand } from '../cli-command.js';
import { loadExperiment } from '../../../engine/assembly/load-experiment.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import { loadConfigFile } from '../../../engine/config/load-config-file.js';
import { loadComparePlan } from '../../compare/compare-config.js';
import { executorRegistry, resolveExecutorChoice } from '../execute-compare.js';
import { integerOption, parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';

export const validateCommand: CliCommand = {
  summary: 'Check a config file against the core schema and every component\'s schema',
  usage: `Usage: ungreedy validate <config> [--json] [--backend <name>] [--seed <n>]

Reads <config> (.json, .yaml, .yml, .js, .mjs) and checks everything a run would, before any tensor
exists: the core schema (finite numbers, documented maxima), each plugin listed in "plugins", every
component's options, and the config against the dataset (modality indices, encoder count, data root,
split sizes). Every problem is listed at once, one line each with its JSON pointer; a plugin that fails
to load is one of them. A compare config (one with "base" and "strategies") is checked as
\`ungreedy compare\` would: its schema and every cell's config. \`ungreedy run\` makes the same checks
before it creates a run folder.

What validate runs: a .js/.mjs/.ts config module itself; the modules of the plugins the config lists in
"plugins" (you chose them: importing runs their top-level code, as \`run\` would); and the chosen
dataset's describe(), which only reads file listings and headers. It never calls a component's
create(), loads data, builds a model or writes a file. See packages/core/docs/validate.md.

  --json            print the resolved config (defaults applied): what a run would use
  --backend, --seed as for \`ungreedy run\`

Exit code: 0 valid, 2 invalid.`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('validate', args, {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      seed: { type: 'string' },
    }, 1);
    const path = requirePositional('validate', positionals, 'a config file');
    const { raw } = await loadConfigFile(path, ctx.cwd);
    if (isCompareConfig(raw)) {
      const plan = await loadComparePlan(path, { cwd: ctx.cwd, log: ctx.log });
      // The executor and its options, as compare checks them (docs/cluster.md).
      const executor = resolveExecutorChoice(await executorRegistry(plan, ctx.log), plan.config.executor, plan.file);
      if (values.json) {
        ctx.out(JSON.stringify({ ...plan.config, executor }, null, 2));
        return 0;
      }
      ctx.out(`${displayPath(plan.file)} is a valid compare config (executor ${executor.use}).`);
      ctx.out(`  ${plan.cells.length} runs: datasets ${plan.datasets.join(', ')}; rows ${[...new Set(plan.cells.map((c) => c.label))].join(', ')}; seeds ${plan.config.seeds.join(', ')}`);
      return 0;
    }
    const seed = integerOption('validate', 'seed', values.seed);
    const { config, file, registry } = await loadExperiment(path, {
      cwd: ctx.cwd,
      overrides: { ...(values.backend === undefined ? {} : { backend: values.backend as never }), ...(seed === undefined ? {} : { seed }) },
      log: ctx.log,
    });
    if (values.json) {
      ctx.out(JSON.stringify(config, null, 2));
      return 0;
    }
    const plugins = registry.plugins.map((p) => `${p.manifest.meta.name}@${p.manifest.meta.version}`);
    ctx.out(`${displayPath(file)} is valid.`);
    ctx.out(`  plugins: ${plugins.join(', ')}`);
    ctx.out(`  dataset: ${config.dataset.use}, encoders: ${config.model.encoders.map((e) => e.use).join(', ')}, ` +
      `fusion: ${config.model.fusion.use}${config.model.fusion.after.length > 0 ? ` after stages ${config.model.fusion.after.join(', ')}` : ''}, strategy: ${config.strategy.use}`);
    ctx.out(`  seed ${config.seed}, backend ${config.backend}, ${config.train.epochs} epochs of batch ${config.train.batchSize}`);
    return 0;
  },
};

/** A compare config names a base experiment and the strategies to run on it. */
function isCompareConfig(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'base' in raw && 'strategies' in raw;
}
