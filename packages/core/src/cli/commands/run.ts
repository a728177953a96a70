import { join, resolve } from 'node:path';
import type { CliCommand, CliContext } from '../cli-command.js';
import { UngreedyError } from '../../errors.js';
import { loadExperiment, resolveExperiment, type LoadedExperiment } from '../../config/load-experiment.js';
import { displayPath } from '../../config/format-issues.js';
import type { BackendName } from '../../config/experiment-config.js';
import { FileRunStore, RUN_FILES } from '../../run/file-run-store.js';
import type { RunSummary } from '../../run/metric-records.js';
import { runExperiment } from '../../run/run-experiment.js';
import { logLevelFromEnv } from '../../log/create-logger.js';
import { integerOption, parseCliArgs, requirePositional } from '../parse-cli-args.js';

export const runCommand: CliCommand = {
  summary: 'Train and evaluate one experiment into a new run folder (or continue one with --resume)',
  usage: `Usage: ungreedy run <config> [--backend <name>] [--seed <n>] [--out <dir>]
       ungreedy run --resume <runDir> [--backend <name>]

Validates <config>, loads its plugins, picks the backend, creates the run folder
<out>/<name>-seed<seed> (out defaults to the config's output.dir, relative to the config file), then
trains, evaluates and writes metrics.jsonl, summary.json and checkpoints there.

  --backend <name>  auto | tensorflow | webgpu | wasm | cpu (overrides the config)
  --seed <n>        overrides the config's seed
  --out <dir>       parent folder of the run folder (relative to the working folder)
  --resume <runDir> continue a run from its last checkpoint, with its own resolved config

Ctrl-C stops at the next step boundary after writing a checkpoint (exit 130); resume it with --resume.
Exit code: 0 completed, 1 failed, 2 bad input, 130 interrupted.`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('run', args, {
      backend: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
    }, 1);
    const backend = values.backend as BackendName | undefined;
    const overrides = backend === undefined ? {} : { backend };
    let experiment: LoadedExperiment;
    let target: { parent: string } | { resume: string };
    if (values.resume !== undefined) {
      if (positionals.length > 0 || values.seed !== undefined || values.out !== undefined) {
        throw new UngreedyError('UNG_ERR_CLI_USAGE', 'ungreedy run --resume takes only a run folder (and --backend), but got a config, --seed or --out as well. The run keeps its own config.', {
          command: 'run',
          argument: 'resume',
        });
      }
      const store = FileRunStore.open(resolve(ctx.cwd, values.resume));
      experiment = await resolveExperiment(store.readJson(RUN_FILES.config), {
        file: join(store.dir, RUN_FILES.config),
        configDir: store.readManifest().config?.dir ?? store.dir,
        overrides,
        log: ctx.log,
      });
      target = { resume: store.dir };
    } else {
      const path = requirePositional('run', positionals, 'a config file');
      const seed = integerOption('run', 'seed', values.seed);
      experiment = await loadExperiment(path, { cwd: ctx.cwd, overrides: { ...overrides, ...(seed === undefined ? {} : { seed }) }, log: ctx.log });
      target = { parent: values.out !== undefined ? resolve(ctx.cwd, values.out) : resolve(experiment.configDir, experiment.config.output.dir) };
    }

    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      ctx.err('Interrupted: stopping at the next step boundary after a checkpoint (Ctrl-C again to quit now).');
      controller.abort(new UngreedyError('UNG_ERR_CLI_USAGE', 'run interrupted by SIGINT.', { command: 'run' }));
    };
    process.on('SIGINT', onSigint);
    try {
      const outcome = await runExperiment({
        experiment,
        target,
        log: ctx.log,
        progress: ctx.isTTY ? 'bar' : 'lines',
        console: ctx.isTTY ? 'auto' : 'json',
        level: logLevelFromEnv(ctx.env),
        signal: controller.signal,
        onStart({ runDir, backend: info }) {
          ctx.out(`${'resume' in target ? 'Resuming' : 'Validated'} ${displayPath(experiment.file)}: plugins ${experiment.registry.plugins.map((p) => p.manifest.meta.name).join(', ')}.`);
          ctx.out(`Backend: ${info.name} (${info.reason}).`);
          ctx.out(`Run folder: ${displayPath(runDir)}`);
        },
      });
      if (outcome.status === 'interrupted') {
        ctx.out(`Run interrupted; continue it with: ungreedy run --resume ${displayPath(outcome.runDir)}`);
        return 130;
      }
      if (outcome.summary !== null) printSummary(ctx, outcome.summary, outcome.runDir);
      if (outcome.error !== null) {
        ctx.err(`The run failed; its folder is kept: ${displayPath(outcome.runDir)}`);
        throw outcome.error;
      }
      return outcome.status === 'completed' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

const pct = (x: number): string => `${x.toFixed(2)} %`;

/** What a finished run prints: where it is and its headline numbers. */
export function printSummary(ctx: Pick<CliContext, 'out'>, summary: RunSummary, runDir: string): void {
  ctx.out(`Run ${summary.status}: ${summary.name} (${summary.epochs} epochs, stopped: ${summary.stoppedBecause}, ${summary.seconds.toFixed(1)} s)`);
  if (summary.test !== null) {
    ctx.out(`  test accuracy ${pct(summary.test.acc)}; per modality ${summary.test.accHeads.map(pct).join(', ')}` +
      (summary.modalityNames.length > 0 ? ` (${summary.modalityNames.join(', ')})` : ''));
  }
  if (summary.utilization !== null) {
    const u = summary.utilization;
    ctx.out(`  conditional utilization u ${u.u.map((x) => x.toFixed(4)).join(', ')}; d_util ${u.dUtil.toFixed(4)} (${u.checkpoint} checkpoint)`);
  }
  if (summary.error !== null) ctx.out(`  error ${summary.error.code}: ${summary.error.message}`);
  ctx.out(`  folder: ${displayPath(runDir)} (summary.json, metrics.jsonl, log.jsonl, checkpoints/)`);
}
