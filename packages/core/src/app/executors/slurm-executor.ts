import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { Executor, ExecutorContext } from '../../contract/executor/executor.js';
import type { ExecutorContribution } from '../../contract/plugin/manifest.js';
import type { JsonSchema } from '../../contract/util/json.js';
import { writeFileAtomic } from '../../contract/util/atomic-write.js';
import { displayPath } from '../../engine/config/format-issues.js';
import { arraySpec, noController, parseSacct, parseScontrol, parseSqueue, runSlurmTool, shellQuote, slurmMessage, taskStateOf, type SlurmTaskRecord, type ToolResult } from './slurm-tools.js';

/** The `slurm` executor's options (schema below; docs/cluster.md explains each). */
export interface SlurmOptions {
  readonly partition: string | null;
  readonly account: string | null;
  readonly qos: string | null;
  readonly time: string | null;
  readonly cpusPerTask: number;
  readonly mem: string | null;
  readonly gres: string | null;
  readonly gpus: string | null;
  readonly throttle: number;
  readonly extraArgs: readonly string[];
  readonly modules: readonly string[];
  readonly setup: string | null;
  readonly command: readonly string[] | null;
  readonly signalGrace: number;
  readonly pollSeconds: number;
}

const SLURM_DEFAULTS: SlurmOptions = {
  partition: null,
  account: null,
  qos: null,
  time: null,
  cpusPerTask: 1,
  mem: null,
  gres: null,
  gpus: null,
  throttle: 0,
  extraArgs: [],
  modules: [],
  setup: null,
  command: null,
  signalGrace: 60,
  pollSeconds: 10,
};

const nullableString = (description: string): JsonSchema => ({ type: ['string', 'null'], minLength: 1, description });

const SLURM_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    partition: nullableString('sbatch --partition: the partition (queue) the array runs in; null: the cluster\'s default'),
    account: nullableString('sbatch --account: the account charged; null: your default account'),
    qos: nullableString('sbatch --qos: quality of service; null: the default'),
    time: nullableString('sbatch --time: time limit of ONE cell (e.g. "04:00:00", "2-00:00:00"); a cell that hits it checkpoints and resumes on the next compare'),
    cpusPerTask: { type: 'integer', minimum: 1, description: 'sbatch --cpus-per-task: cores of one cell; its native kernels get as many threads (OMP_NUM_THREADS, unless set)' },
    mem: nullableString('sbatch --mem: memory of one cell (e.g. "16G"); null: the partition\'s default'),
    gres: nullableString('sbatch --gres: generic resources of one cell (e.g. "gpu:1", "gpu:a100:1")'),
    gpus: nullableString('sbatch --gpus: GPUs of one cell (e.g. "1", "a100:1"), where the cluster uses --gpus rather than --gres'),
    throttle: { type: 'integer', minimum: 0, description: 'array throttle %K: at most K cells run at once; 0: no limit beyond the cluster\'s' },
    extraArgs: { type: 'array', items: { type: 'string' }, description: 'more sbatch options, one per item (e.g. ["--constraint=v100", "--exclusive"]), written as #SBATCH lines' },
    modules: { type: 'array', items: { type: 'string' }, description: 'environment modules each task loads first (`module load <m>`), e.g. ["nodejs/20"]' },
    setup: nullableString('a shell script each task sources before the cell (e.g. a venv or a profile that puts node on PATH)'),
    command: {
      type: ['array', 'null'],
      items: { type: 'string' },
      minItems: 1,
      description: 'the node-side ungreedy command, as words (e.g. ["/opt/node20/bin/node", "/opt/ungreedy/node_modules/@ungreedy/core/bin/ungreedy.js"]); null: this process\'s node and core\'s entry, absolute paths (for a shared install)',
    },
    signalGrace: { type: 'integer', minimum: 0, description: 'seconds before the time limit when Slurm sends SIGTERM (sbatch --signal=B:TERM@<s>), so the cell checkpoints in time; 0: no early signal' },
    pollSeconds: { type: 'number', exclusiveMinimum: 0, description: 'seconds between squeue/sacct polls while compare watches the array' },
  },
};

/** The readable job script of an array: `#SBATCH` lines, then one cell by `$SLURM_ARRAY_TASK_ID`. */
export function slurmScript(ctx: Pick<ExecutorContext, 'compareDir' | 'workDir' | 'cellCommand' | 'cellCount'>, options: SlurmOptions, name: string): string {
  const sb: string[] = [
    `--job-name=${name}`,
    `--output=${join(ctx.workDir, 'logs', '%a.log')}`,
    '--open-mode=append',
    '--requeue',
    '--ntasks=1',
    `--cpus-per-task=${options.cpusPerTask}`,
  ];
  if (options.signalGrace > 0) sb.push(`--signal=B:TERM@${options.signalGrace}`);
  const flag = (key: string, value: string | null): void => {
    if (value !== null) sb.push(`--${key}=${value}`);
  };
  flag('partition', options.partition);
  flag('account', options.account);
  flag('qos', options.qos);
  flag('time', options.time);
  flag('mem', options.mem);
  flag('gres', options.gres);
  flag('gpus', options.gpus);
  sb.push(...options.extraArgs);
  // The cell's own command line, with the array task's index in place of the placeholder index.
  const words = ctx.cellCommand(0).map(shellQuote);
  words[words.length - 1] = '"$SLURM_ARRAY_TASK_ID"';
  return [
    '#!/bin/bash',
    `# Written by \`ungreedy compare --executor slurm\` for ${ctx.compareDir} (packages/core/docs/cluster.md).`,
    `# Array task i runs cell i of cells/index.json (${ctx.cellCount} cells). compare submits it as`,
    '#   sbatch --parsable --array=<indices>%<throttle> array.sbatch',
    '# and records the job in ../executor.json; to resubmit cells by hand, pass their indices to --array the same way.',
    ...sb.map((s) => `#SBATCH ${s}`),
    'set -eo pipefail',
    ...options.modules.map((m) => `module load ${shellQuote(m)}`),
    ...(options.setup === null ? [] : [`source ${shellQuote(options.setup)}`]),
    // The same thread rule as a local cell: OMP_NUM_THREADS when the environment sets it, else the task's cores.
    'export OMP_NUM_THREADS="${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}"',
    'echo "ungreedy: cell $SLURM_ARRAY_TASK_ID on $(hostname) (job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}, restart ${SLURM_RESTART_COUNT:-0}) at $(date -u +%FT%TZ)"',
    // exec: the cell is the batch step's process, so SIGTERM (scancel, preemption, --signal) reaches it directly
    // and it checkpoints (engine/run/stop-signals.ts); its exit code is the task's.
    `exec ${words.join(' ')}`,
    '',
  ].join('\n');
}

class SlurmExecutor implements Executor {
  readonly detachable = true;
  constructor(private readonly options: SlurmOptions, private readonly ctx: ExecutorContext) {}

  private get script(): string {
    return join(this.ctx.workDir, 'array.sbatch');
  }

  async submit(indices: readonly number[]): Promise<{ id: string; indices: readonly number[] }> {
    const { ctx, options } = this;
    mkdirSync(join(ctx.workDir, 'logs'), { recursive: true });
    const hadScript = existsSync(this.script);
    writeFileAtomic(this.script, slurmScript(ctx, options, `ungreedy-${ctx.compareDir.split('/').filter(Boolean).slice(-1)[0] ?? 'compare'}`));
    const args = ['--parsable', `--array=${arraySpec(indices)}${options.throttle > 0 ? `%${options.throttle}` : ''}`, this.script];
    let result: ToolResult;
    try {
      result = await runSlurmTool('sbatch', args, ctx.env);
    } catch (err) {
      if (!hadScript) rmSync(this.script, { force: true });
      throw err;
    }
    const id = /^(\d+)(;\S+)?\s*$/.exec(result.stdout.trim())?.[1];
    if (result.exitCode !== 0 || id === undefined) {
      // Nothing half-written: a script written for this submission goes again (executor.json is not written).
      if (!hadScript) rmSync(this.script, { force: true });
      throw noController(result)
        ? new UngreedyError('UNG_ERR_SLURM_UNAVAILABLE', 'sbatch must reach a Slurm controller, but it could not (no slurm.conf or SLURM_CONF, or the controller is down). Run compare where sbatch works, or use --executor local.', { command: 'sbatch' }, { cause: slurmMessage('sbatch', result) })
        : new UngreedyError(
          'UNG_ERR_SLURM_REJECTED',
          `sbatch should accept the job array of ${displayPath(ctx.compareDir)}, but it refused it (exit ${result.exitCode}). ` +
            'Fix the option Slurm names (executor.options in the compare config: partition, account, qos, time, mem, gres, extraArgs) and run compare again.',
          { command: 'sbatch', args, exitCode: result.exitCode, script: this.script },
          { cause: slurmMessage('sbatch', result) },
        );
    }
    ctx.log.info({ job: id, array: args[1] }, 'slurm job array submitted');
    return { id, indices: [...indices] };
  }

  async poll(jobId: string, indices: readonly number[]): Promise<Awaited<ReturnType<Executor['poll']>>> {
    const env = this.ctx.env;
    const byTask = new Map<number, SlurmTaskRecord>();
    // Finished tasks: sacct where accounting is on, else scontrol (which remembers them for MinJobAge).
    const sacct = await runSlurmTool('sacct', ['-n', '-P', '-X', '-j', jobId, '-o', 'JobID,State,ExitCode'], env).catch(() => null);
    if (sacct !== null && sacct.exitCode === 0) for (const r of parseSacct(jobId, sacct.stdout)) byTask.set(r.task, r);
    const scontrol = await runSlurmTool('scontrol', ['-o', 'show', 'job', jobId], env);
    if (scontrol.exitCode === 0) {
      for (const r of parseScontrol(jobId, scontrol.stdout)) byTask.set(r.task, r);
    } else if (!/Invalid job id/i.test(scontrol.stderr)) {
      throw queryFailed('scontrol', ['-o', 'show', 'job', jobId], scontrol);
    }
    // Pending and running tasks: squeue (it expands a pending range with -r); it wins over the others.
    const squeueArgs = ['-h', '-r', '-j', jobId, '-o', '%i|%T|%r'];
    const squeue = await runSlurmTool('squeue', squeueArgs, env);
    if (squeue.exitCode === 0) for (const r of parseSqueue(jobId, squeue.stdout)) byTask.set(r.task, r);
    else if (!/Invalid job id/i.test(squeue.stderr)) throw queryFailed('squeue', squeueArgs, squeue);
    return indices.map((index) => {
      const logFile = join(this.ctx.workDir, 'logs', `${index}.log`);
      const record = byTask.get(index);
      if (record === undefined) return { index, state: 'unknown' as const, exitCode: null, reason: null, logFile };
      const state = taskStateOf(record);
      const exitCode = record.exitCode === null ? null : record.signal !== null && record.signal > 0 && record.exitCode === 0 ? 128 + record.signal : record.exitCode;
      const reason = state === 'failed' || state === 'pending' ? record.reason ?? (state === 'failed' ? record.state : null) : null;
      return { index, state, exitCode, reason, logFile };
    });
  }

  async cancel(jobId: string, indices?: readonly number[]): Promise<void> {
    const targets = indices === undefined ? [jobId] : indices.map((i) => `${jobId}_${i}`);
    // Pending tasks are removed; running ones get SIGTERM (batch shell included: the cell is exec'd there) and
    // end after their checkpoint, with no KillWait deadline cutting the checkpoint short.
    for (const args of [['--state=PENDING', ...targets], ['--state=RUNNING', '--signal=TERM', '--full', ...targets]]) {
      const result = await runSlurmTool('scancel', args, this.ctx.env);
      if (result.exitCode !== 0 && !/Invalid job id|already completed|not pending|Job is pending/i.test(result.stderr)) throw queryFailed('scancel', args, result);
    }
  }
}

function queryFailed(command: string, args: readonly string[], result: ToolResult): UngreedyError {
  if (noController(result)) {
    return new UngreedyError('UNG_ERR_SLURM_UNAVAILABLE', `${command} must reach a Slurm controller, but it could not. Check that the controller runs (sinfo) and SLURM_CONF.`, { command }, { cause: slurmMessage(command, result) });
  }
  return new UngreedyError(
    'UNG_ERR_SLURM_QUERY_FAILED',
    `${command} should report the job array, but it failed (exit ${result.exitCode}). The array is not touched: run \`ungreedy status <dir>\` again once Slurm answers.`,
    { command, args, exitCode: result.exitCode },
    { cause: slurmMessage(command, result) },
  );
}

export const slurmExecutor: ExecutorContribution<SlurmOptions> = {
  meta: {
    docs: { description: 'Runs the cells as one Slurm job array (sbatch), one cell per array task; the compare folder must be on a filesystem the nodes share (docs/cluster.md)' },
    defaultOptions: SLURM_DEFAULTS,
    schema: SLURM_SCHEMA,
  },
  create: (options, ctx) => new SlurmExecutor(options, ctx),
};
