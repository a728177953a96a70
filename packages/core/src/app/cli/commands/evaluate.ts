import { join, resolve } from 'node:path';
import type { CliCommand } from '../cli-command.js';
import { UngreedyError, isUngreedyError } from '../../../contract/errors/errors.js';
import { resolveExperiment } from '../../../engine/assembly/load-experiment.js';
import type { BackendName } from '../../../engine/config/experiment-config.js';
import { selectBackend } from '../../../engine/backend/select-backend.js';
import { FileRunStore, RUN_FILES } from '../../../engine/run/file-run-store.js';
import { evaluateRun } from '../../../engine/assembly/evaluate-run.js';
import { parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';
import type { UtilizationRecord } from '../../../engine/run/metric-records.js';
import { onStopSignals } from '../../../engine/run/stop-signals.js';

export const evaluateCommand: CliCommand = {
  summary: 'Measure test accuracies and the conditional utilization rate of a finished run',
  usage: `Usage: ungreedy evaluate <runDir> [--checkpoint best|last] [--backend <name>]

Rebuilds the run's model from its config.resolved.json, loads the checkpoint (default: the config's
metrics.evaluateCheckpoint), and measures test accuracy per modality and the conditional utilization
rate u and d_util; the record is appended to the run's metrics.jsonl. It holds the run folder's lock while it
runs; SIGINT/SIGTERM stop it within one batch (exit 130/143, nothing appended).`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('evaluate', args, { checkpoint: { type: 'string' }, backend: { type: 'string' } }, 1);
    const dir = requirePositional('evaluate', positionals, 'a run folder');
    if (values.checkpoint !== undefined && values.checkpoint !== 'best' && values.checkpoint !== 'last') {
      throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy evaluate --checkpoint must be "best" or "last", but got "${values.checkpoint}".`, {
        command: 'evaluate',
        argument: 'checkpoint',
      });
    }
    const store = FileRunStore.open(resolve(ctx.cwd, dir));
    // Installed before anything is awaited, so a signal at any point of the evaluation is acted on (within one batch of its passes).
    const stop = onStopSignals((name) => {
      ctx.err(`Interrupted (${name}): stopping the evaluation at the next batch (send it again to quit now).`);
    });
    let record: UtilizationRecord;
    try {
      const manifest = store.readManifest();
      const { config, registry } = await resolveExperiment(store.readJson(RUN_FILES.config), {
        file: join(store.dir, RUN_FILES.config),
        configDir: manifest.config?.dir ?? store.dir,
        overrides: values.backend === undefined ? {} : { backend: values.backend as BackendName },
        log: ctx.log,
      });
      await selectBackend(config.backend, ctx.log);
      record = await evaluateRun({
        runDir: store.dir,
        registry,
        log: ctx.log,
        checkpoint: (values.checkpoint as 'best' | 'last' | undefined) ?? config.metrics.evaluateCheckpoint,
        signal: stop.signal,
      });
    } catch (err) {
      if (stop.received === null || !isUngreedyError(err, 'UNG_ERR_RUN_INTERRUPTED')) throw err;
      ctx.err(`${err.code}: ${err.message} Nothing was appended to metrics.jsonl; run \`ungreedy evaluate ${dir}\` again.`);
      return stop.exitCode();
    } finally {
      stop.dispose();
    }
    ctx.out(`Evaluated ${store.dir} (${record.checkpoint} checkpoint, epoch ${record.epoch})`);
    ctx.out(`  test accuracy ${record.acc.toFixed(2)} %; per modality ${record.accHeads.map((a) => `${a.toFixed(2)} %`).join(', ')}`);
    ctx.out(`  ablated heads ${record.accHeadsAblated.map((a) => `${a.toFixed(2)} %`).join(', ')}`);
    ctx.out(`  u ${record.u.map((x) => x.toFixed(4)).join(', ')}; d_util ${record.dUtil.toFixed(4)} (denominator: ${record.denominator})`);
    return 0;
  },
};
