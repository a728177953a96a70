import { join, resolve } from 'node:path';
import type { CliCommand, CliContext } from '../cli-command.js';
import { UngreedyError } from '../../../contract/errors/errors.js';
import { loadExperiment, resolveExperiment, type LoadedExperiment } from '../../../engine/assembly/load-experiment.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import type { BackendName } from '../../../engine/config/experiment-config.js';
import { FileRunStore, RUN_FILES } from '../../../engine/run/file-run-store.js';
import type { RunSummary } from '../../../engine/run/metric-records.js';
import { runExperiment } from '../../../engine/assembly/run-experiment.js';
import { onStopSignals } from '../../../engine/run/stop-signals.js';
import { logLevelFromEnv } from '../../../engine/log/create-logger.js';
import { integerOption, parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';

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
  --exact           use <out>/<runName> itself: if it exists, fail with UNG_ERR_RUN_LOCKED instead of
                    creating <runName>-2 (compare's cells use it)

Ctrl-C (SIGINT) or SIGTERM stops the run within one training step (or evaluation batch) after writing a
checkpoint; resume it with --resume. Stopped during the dataset's first load (before any training), the
run's folder is removed and the same command starts it again. A second signal quits at once. Only one process may write a run
folder at a time (its .lock file): a second one gets UNG_ERR_RUN_LOCKED.
Exit code: 0 completed, 1 failed, 2 bad input, 130 interrupted by SIGINT, 143 by SIGTERM.`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('run', args, {
      backend: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      exact: { type: 'boolean' },
    }, 1);
    const backend = values.backend as BackendName | undefined;
    const overrides = backend === undefined ? {} : { backend };
    let experiment: LoadedExperiment;
    let target: { parent: string; exact: boolean } | { resume: string };
    if (values.resume !== undefined) {
      if (positionals.length > 0 || values.seed !== undefined || values.out !== undefined || values.exact === true) {
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
      target = {
        parent: values.out !== undefined ? resolve(ctx.cwd, values.out) : resolve(experiment.configDir, experiment.config.output.dir),
        exact: values.exact === true,
      };
    }

    const stop = onStopSignals((name) => {
      ctx.err(`Interrupted (${name}): stopping at the next step after writing a checkpoint (send it again to quit now).`);
    });
    try {
      const outcome = await runExperiment({
        experiment,
        target,
        log: ctx.log,
        progress: ctx.isTTY ? 'bar' : 'lines',
        console: ctx.isTTY ? 'auto' : 'json',
        level: logLevelFromEnv(ctx.env),
        signal: stop.signal,
        onStart({ runDir, backend: info }) {
          ctx.out(`${'resume' in target ? 'Resuming' : 'Validated'} ${displayPath(experiment.file)}: plugins ${experiment.registry.plugins.map((p) => p.manifest.meta.name).join(', ')}.`);
          ctx.out(`Backend: ${info.name} (${info.reason}).`);
          ctx.out(`Run folder: ${displayPath(runDir)}`);
        },
      });
      if (outcome.nothingTrained) {
        ctx.out(`Run interrupted before training started: nothing was trained, and its folder is removed. Rerun with: ungreedy run ${rerunArgs(args)}`);
        return stop.exitCode();
      }
      if (outcome.status === 'interrupted') {
        ctx.out(`Run interrupted; continue it with: ungreedy run --resume ${displayPath(outcome.runDir)}`);
        return stop.exitCode();
      }
      if (outcome.summary !== null) printSummary(ctx, outcome.summary, outcome.runDir);
      if (outcome.error !== null) {
        ctx.err(`The run failed; its folder is kept: ${displayPath(outcome.runDir)}`);
        throw outcome.error;
      }
      return outcome.status === 'completed' ? 0 : 1;
    } finally {
      stop.dispose();
    }
  },
};

/** The command's own arguments, quoted where a shell would need it, for the line that says how to rerun. */
const rerunArgs = (args: readonly string[]): string => args.map((a) => (/^[\w./=:@,+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

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
