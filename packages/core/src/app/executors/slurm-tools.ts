import { execFile } from 'node:child_process';
import { UngreedyError } from '../../contract/errors/errors.js';

/** What a Slurm client command printed and how it ended. */
export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Runs a Slurm client (`sbatch`, `squeue`, `sacct`, `scontrol`, `scancel`) without a shell. A command that is not
 * installed is UNG_ERR_SLURM_UNAVAILABLE (the system's message as its `Reason:`); any exit code comes back, for the
 * caller to judge with the command's own stderr.
 */
export function runSlurmTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, [...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT' || code === 'EACCES') {
        reject(new UngreedyError(
          'UNG_ERR_SLURM_UNAVAILABLE',
          `the Slurm command "${command}" must be installed and on PATH, but it could not be started (${code}). ` +
            'Run compare on a login node of the cluster (where sbatch works), or use --executor local.',
          { command },
          { cause: err },
        ));
        return;
      }
      const exitCode = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolvePromise({ stdout, stderr, exitCode });
    });
  });
}

/** Slurm's message of a failed command as an Error, for a `Reason:` line. */
export function slurmMessage(command: string, result: ToolResult): Error {
  const text = (result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`).split('\n').slice(-8).join('\n');
  return new Error(text.startsWith(`${command}:`) ? text : `${command}: ${text}`);
}

/** Whether a failed command's message says no controller is configured or reachable. */
export function noController(result: ToolResult): boolean {
  return /Could not establish a configuration source|Unable to contact slurm controller|fetch_config|Connection refused|slurm_load_partitions|Zero Bytes were transmitted/i.test(result.stderr);
}

/** One task's state as Slurm reports it: `<job>_<task>` ids, a state word and `exit:signal`. */
export interface SlurmTaskRecord {
  readonly task: number;
  readonly state: string;
  readonly exitCode: number | null;
  readonly signal: number | null;
  readonly reason: string | null;
}

/** Records of `|`-separated lines whose first field is `<job>_<task>` (other jobs' lines and pending ranges skipped). */
function parseDelimited(jobId: string, stdout: string, record: (task: number, fields: string[]) => SlurmTaskRecord): SlurmTaskRecord[] {
  return stdout.split('\n').flatMap((line) => {
    const fields = line.trim().split('|');
    const task = taskOf(jobId, fields[0]);
    return task === null || fields[1] === undefined ? [] : [record(task, fields)];
  });
}

/**
 * Parses `squeue -h -r -j <job> -o '%i|%T|%r'` (one line per array task, `-r` expands pending ranges):
 * `123_4|RUNNING|None`.
 */
export function parseSqueue(jobId: string, stdout: string): SlurmTaskRecord[] {
  return parseDelimited(jobId, stdout, (task, [, state, reason]) =>
    ({ task, state: state!.trim(), exitCode: null, signal: null, reason: reason === undefined || reason === 'None' ? null : reason }));
}

/** Parses `sacct -n -P -X -j <job> -o JobID,State,ExitCode`: `123_4|CANCELLED by 0|0:15`. */
export function parseSacct(jobId: string, stdout: string): SlurmTaskRecord[] {
  return parseDelimited(jobId, stdout, (task, [, state, exit]) => {
    const [code, signal] = (exit ?? '').split(':').map((x) => (x === '' ? null : Number(x)));
    const word = state!.trim().split(/\s+/)[0]!;
    return { task, state: word, exitCode: code ?? null, signal: signal ?? null, reason: word === state!.trim() ? null : state!.trim() };
  });
}

/**
 * Parses `scontrol -o show job <job>` (one line per array task, `Key=Value` fields):
 * `JobId=125 ArrayJobId=123 ArrayTaskId=2 JobState=FAILED Reason=NonZeroExitCode ... ExitCode=1:0`. It answers
 * for finished tasks until the controller forgets them (MinJobAge), also where accounting (sacct) is off.
 */
export function parseScontrol(jobId: string, stdout: string): SlurmTaskRecord[] {
  const out: SlurmTaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const fields = new Map<string, string>();
    for (const m of line.matchAll(/(\w+)=(\S*)/g)) if (!fields.has(m[1]!)) fields.set(m[1]!, m[2]!);
    if (fields.get('ArrayJobId') !== jobId) continue;
    const taskText = fields.get('ArrayTaskId') ?? '';
    if (!/^\d+$/.test(taskText)) continue; // a still-pending range such as 3-7%2: squeue answers for those
    const [code, signal] = (fields.get('ExitCode') ?? '').split(':').map((x) => (x === '' ? null : Number(x)));
    const reason = fields.get('Reason');
    out.push({ task: Number(taskText), state: fields.get('JobState') ?? 'UNKNOWN', exitCode: code ?? null, signal: signal ?? null, reason: reason === undefined || reason === 'None' ? null : reason });
  }
  return out;
}

function taskOf(jobId: string, id: string | undefined): number | null {
  const m = /^(\d+)_(\d+)$/.exec((id ?? '').trim());
  return m !== null && m[1] === jobId ? Number(m[2]) : null;
}

const PENDING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);
const RUNNING = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'RESIZING', 'STOPPED']);

/** Slurm's state word in the executor's terms. */
export function taskStateOf(record: SlurmTaskRecord): 'pending' | 'running' | 'done' | 'failed' {
  if (PENDING.has(record.state)) return 'pending';
  if (RUNNING.has(record.state)) return 'running';
  if (record.state === 'COMPLETED' && (record.exitCode ?? 0) === 0) return 'done';
  return 'failed';
}

/** `0-3,5,7-8`: Slurm's `--array` list of sorted indices, ranges collapsed. */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A word quoted for bash (single quotes; `'` as `'\''`), left bare when it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
