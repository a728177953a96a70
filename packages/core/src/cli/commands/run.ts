import { basename, join, resolve } from 'node:path';
import type { CliCommand, CliContext } from '../cli-command.js';
import { UngreedyError, isUngreedyError } from '../../errors.js';
import { loadExperiment, resolveExperiment, type LoadedExperiment } from '../../config/load-experiment.js';
import { displayPath } from '../../config/format-issues.js';
import type { BackendName } from '../../config/experiment-config.js';
import { selectBackend } from '../../backend/select-backend.js';
import { createRootContainer } from '../../container/create-root-container.js';
import { createRunContainer } from '../../container/create-run-container.js';
import { createRunFolder } from '../../run/create-run-folder.js';
import { FileRunStore, RUN_FILES } from '../../run/file-run-store.js';
import { createRunManifest } from '../../run/run-manifest.js';
import type { RunSummary } from '../../run/metric-records.js';
import { trainExperiment } from '../../trainer/train-experiment.js';
import { systemClock } from '../../util/clock.js';
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
    let runDir: string;
    let resumed: FileRunStore | undefined;
    if (values.resume !== undefined) {
      if (positionals.length > 0 || values.seed !== undefined || values.out !== undefined) {
        throw new UngreedyError('UNG_ERR_CLI_USAGE', 'ungreedy run --resume takes only a run folder (and --backend), but got a config, --seed or --out as well. The run keeps its own config.', {
          command: 'run',
          argument: 'resume',
        });
      }
      resumed = FileRunStore.open(resolve(ctx.cwd, values.resume));
      const manifest = resumed.readManifest();
      experiment = await resolveExperiment(resumed.readJson(RUN_FILES.config), {
        file: join(resumed.dir, RUN_FILES.config),
        configDir: manifest.config?.dir ?? resumed.dir,
        overrides,
        log: ctx.log,
      });
      runDir = resumed.dir;
    } else {
      const path = requirePositional('run', positionals, 'a config file');
      const seed = integerOption('run', 'seed', values.seed);
      experiment = await loadExperiment(path, { cwd: ctx.cwd, overrides: { ...overrides, ...(seed === undefined ? {} : { seed }) }, log: ctx.log });
      const { config, configDir } = experiment;
      const parent = values.out !== undefined ? resolve(ctx.cwd, values.out) : resolve(configDir, config.output.dir);
      runDir = createRunFolder(parent, config.output.runName ?? `${config.name}-seed${config.seed}`);
    }
    const { config, registry, configDir, file } = experiment;
    const info = await selectBackend(config.backend, ctx.log);
    const root = createRootContainer({ log: ctx.log, registry, backend: info, clock: systemClock });
    const scope = createRunContainer(root, { config, runDir, runId: basename(runDir), console: 'none' });
    const { store } = scope;
    if (resumed === undefined) {
      store.writeJson(RUN_FILES.config, config);
      store.writeManifest(createRunManifest({ runId: basename(runDir), config, registry, backend: info, clock: systemClock, configFile: file, configDir }));
    } else {
      const m = store.readManifest();
      store.updateManifest({ status: 'running', endedAt: null, error: null, backend: { name: info.name, reason: info.reason }, resumedAt: [...m.resumedAt, systemClock.isoNow()] });
    }
    ctx.out(`${resumed ? 'Resuming' : 'Validated'} ${displayPath(file)}: plugins ${registry.plugins.map((p) => p.manifest.meta.name).join(', ')}.`);
    ctx.out(`Backend: ${info.name} (${info.reason}).`);
    ctx.out(`Run folder: ${displayPath(runDir)}`);
    scope.log.info({ runDir, backend: info.name, seed: config.seed, resume: resumed !== undefined }, 'run start');

    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        ctx.err('Interrupted: stopping at the next step boundary after a checkpoint (Ctrl-C again to quit now).');
        controller.abort(new UngreedyError('UNG_ERR_CLI_USAGE', 'run interrupted by SIGINT.', { command: 'run' }));
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSigint);
    try {
      const summary = await trainExperiment({
        config, configDir, registry, store, rng: scope.rng, log: scope.log, clock: systemClock,
        resume: resumed !== undefined, progress: ctx.isTTY ? 'bar' : 'lines', signal: controller.signal,
      });
      if (controller.signal.aborted && summary.status !== 'completed') return interrupted(ctx, store, runDir);
      store.updateManifest({ status: summary.status, endedAt: systemClock.isoNow(), error: summary.error });
      printSummary(ctx, summary, runDir);
      return summary.status === 'completed' ? 0 : 1;
    } catch (err) {
      if (controller.signal.aborted) return interrupted(ctx, store, runDir);
      const error = isUngreedyError(err) ? { code: err.code, message: err.message } : { code: 'UNG_ERR_RUN_FAILED', message: String(err) };
      store.updateManifest({ status: 'failed', endedAt: systemClock.isoNow(), error });
      scope.log.error({ err }, 'run failed');
      ctx.err(`The run failed; its folder is kept: ${displayPath(runDir)}`);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      await scope.dispose();
    }
  },
};

function interrupted(ctx: CliContext, store: FileRunStore, runDir: string): number {
  store.updateManifest({ status: 'interrupted', endedAt: systemClock.isoNow() });
  ctx.out(`Run interrupted; continue it with: ungreedy run --resume ${displayPath(runDir)}`);
  return 130;
}

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
