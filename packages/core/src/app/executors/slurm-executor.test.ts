// The slurm executor against fake sbatch/squeue/scontrol/sacct/scancel scripts on PATH (a test fixture): the
// script and array it submits, no second submission while a job is active, resubmission of only the cells not
// completed, Slurm's own message on errors, and the parsers of Slurm's output. The real cluster: slurm-compare.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import { arraySpec, parseSacct, parseScontrol, parseSqueue, taskStateOf } from './slurm-tools.js';

const fixturePlugin = join(import.meta.dirname, '..', 'compare', 'test-fixtures', 'compare-plugin.mjs');

/** A compare workspace and a bin folder of fake Slurm commands that read and log under `<dir>/fake`. */
function setup(executorOptions: Record<string, unknown> = {}): { dir: string; fake: string; io: () => CliIo & { outLines: string[]; errLines: string[] } } {
  const dir = tempDir('slurm-fake');
  const plugin = relative(dir, fixturePlugin);
  const base = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`] };
  writeFileSync(join(dir, 'compare.json'), JSON.stringify({
    name: 'fake', base, unimodal: false, seeds: [1, 2], strategies: [{ label: 'vanilla', use: 'vanilla' }], output: { dir: 'out' },
    executor: { use: 'slurm', options: { pollSeconds: 0.05, ...executorOptions } },
  }));
  const fake = join(dir, 'fake');
  const bin = join(fake, 'bin');
  mkdirSync(bin, { recursive: true });
  const tool = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${fake}/calls.log\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool('sbatch', `if [ -f ${fake}/reject ]; then cat ${fake}/reject >&2; exit 1; fi\nn=$(cat ${fake}/next-id 2>/dev/null || echo 100); echo $((n+1)) > ${fake}/next-id; echo "$n"`);
  tool('squeue', `cat ${fake}/squeue.txt 2>/dev/null; true`);
  tool('scontrol', `cat ${fake}/scontrol.txt 2>/dev/null; true`);
  tool('sacct', 'echo "sacct: error: Slurm accounting storage is disabled" >&2; exit 1');
  tool('scancel', 'true');
  const io = (): CliIo & { outLines: string[]; errLines: string[] } => {
    const outLines: string[] = [];
    const errLines: string[] = [];
    return { out: (l) => outLines.push(l), err: (l) => errLines.push(l), cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false, outLines, errLines };
  };
  return { dir, fake, io };
}

const calls = (fake: string, tool: string): string[] => (existsSync(join(fake, 'calls.log')) ? readFileSync(join(fake, 'calls.log'), 'utf8').split('\n').filter((l) => l.startsWith(`${tool} `)) : []);

test('compare --detach writes the cells, one readable sbatch script and submits ONE array with the throttle; the state file records the job', async () => {
  const { dir, fake, io } = setup({ partition: 'gpu', account: 'lab', time: '01:00:00', cpusPerTask: 4, gres: 'gpu:1', throttle: 2, modules: ['nodejs/20'], setup: '/opt/env.sh', extraArgs: ['--constraint=v100'], command: ['/opt/node', '/opt/ungreedy.js'] });
  const out = io();
  assert.equal(await main(['compare', 'compare.json', '--detach'], out), 0, out.errLines.join('\n'));
  assert.ok(out.outLines.includes('Job id: 100'), out.outLines.join('\n'));
  const sbatch = calls(fake, 'sbatch');
  assert.equal(sbatch.length, 1);
  const script = join(dir, 'out', 'slurm', 'array.sbatch');
  assert.equal(sbatch[0], `sbatch --parsable --array=0-1%2 ${script}`);
  const text = readFileSync(script, 'utf8');
  for (const line of ['#SBATCH --requeue', '#SBATCH --partition=gpu', '#SBATCH --account=lab', '#SBATCH --time=01:00:00', '#SBATCH --cpus-per-task=4', '#SBATCH --gres=gpu:1', '#SBATCH --constraint=v100', '#SBATCH --signal=B:TERM@60', '#SBATCH --open-mode=append', `#SBATCH --output=${join(dir, 'out', 'slurm', 'logs', '%a.log')}`, 'module load nodejs/20', 'source /opt/env.sh', `exec /opt/node /opt/ungreedy.js compare-cell ${join(dir, 'out')} "$SLURM_ARRAY_TASK_ID"`]) {
    assert.ok(text.split('\n').includes(line), `${line}\n---\n${text}`);
  }
  assert.match(text, /OMP_NUM_THREADS="\$\{OMP_NUM_THREADS:-\$\{SLURM_CPUS_PER_TASK:-1\}\}"/);
  const cells = JSON.parse(readFileSync(join(dir, 'out', 'cells', 'index.json'), 'utf8')) as { cells: { index: number; id: string; dir: string; config: string }[] };
  assert.deepEqual(cells.cells.map((c) => [c.index, c.id, c.dir]), [[0, 'tiny/vanilla/seed1', 'tiny/vanilla/seed1'], [1, 'tiny/vanilla/seed2', 'tiny/vanilla/seed2']]);
  assert.equal((JSON.parse(readFileSync(join(dir, 'out', cells.cells[1]!.config), 'utf8')) as { seed: number }).seed, 2);
  const state = JSON.parse(readFileSync(join(dir, 'out', 'executor.json'), 'utf8')) as { use: string; options: { throttle: number }; jobs: { id: string; indices: number[] }[] };
  assert.equal(state.use, 'slurm');
  assert.equal(state.options.throttle, 2);
  assert.deepEqual(state.jobs.map((j) => [j.id, j.indices]), [['100', [0, 1]]]);
});

test('no second array while the first is active; after it ends, only the cells not completed are resubmitted; status shows each', async () => {
  const { dir, fake, io } = setup();
  assert.equal(await main(['compare', 'compare.json', '--detach'], io()), 0);
  writeFileSync(join(fake, 'squeue.txt'), '100_0|RUNNING|None\n100_1|PENDING|Resources\n');
  const watching = io();
  assert.equal(await main(['compare', 'compare.json', '--detach'], watching), 0, watching.errLines.join('\n'));
  assert.ok(watching.outLines.some((l) => l.startsWith('Job 100 of this folder is still running')), watching.outLines.join('\n'));
  assert.equal(calls(fake, 'sbatch').length, 1, 'nothing submitted again');
  const status = io();
  assert.equal(await main(['status', 'out'], status), 0, status.errLines.join('\n'));
  assert.match(status.outLines.join('\n'), /tiny\/vanilla\/seed1\s+running/);
  assert.match(status.outLines.join('\n'), /tiny\/vanilla\/seed2\s+pending\s+Resources/);

  // The array ends: cell 1 completed (its run folder says so), cell 0 failed with exit code 1.
  writeFileSync(join(fake, 'squeue.txt'), '');
  writeFileSync(join(fake, 'scontrol.txt'), 'JobId=101 ArrayJobId=100 ArrayTaskId=0 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\nJobId=102 ArrayJobId=100 ArrayTaskId=1 JobState=COMPLETED Reason=None ExitCode=0:0\n');
  const done = join(dir, 'out', 'tiny', 'vanilla', 'seed2');
  mkdirSync(done, { recursive: true });
  writeFileSync(join(done, 'summary.json'), JSON.stringify({ status: 'completed', error: null, seconds: 1 }));
  const failedStatus = io();
  assert.equal(await main(['status', 'out'], failedStatus), 0);
  assert.match(failedStatus.outLines.join('\n'), /tiny\/vanilla\/seed1\s+failed\s+exit code 1 \(NonZeroExitCode\)/);
  const again = io();
  assert.equal(await main(['compare', 'compare.json', '--detach'], again), 0, again.errLines.join('\n'));
  assert.deepEqual(calls(fake, 'sbatch').map((l) => / --array=(\S+) /.exec(l)?.[1]), ['0-1', '0']);
  assert.ok(again.outLines.some((l) => l === 'Submitted job 101: 1 cell (1 already completed).'), again.outLines.join('\n'));
  const state = JSON.parse(readFileSync(join(dir, 'out', 'executor.json'), 'utf8')) as { jobs: { id: string; indices: number[] }[] };
  assert.deepEqual(state.jobs.map((j) => [j.id, j.indices]), [['100', [0, 1]], ['101', [0]]]);
});

test('a watched array: each finished cell is reported, a failed one with its exit code and the tail of its log; compare exits 1', async () => {
  const { dir, fake, io } = setup();
  writeFileSync(join(fake, 'scontrol.txt'), 'JobId=101 ArrayJobId=100 ArrayTaskId=0 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\nJobId=102 ArrayJobId=100 ArrayTaskId=1 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15\n');
  mkdirSync(join(dir, 'out', 'slurm', 'logs'), { recursive: true });
  writeFileSync(join(dir, 'out', 'slurm', 'logs', '0.log'), 'ungreedy: cell 0 on node1\nUNG_ERR_DATASET_MISSING: dataset root /data/x must exist\n');
  const out = io();
  assert.equal(await main(['compare', 'compare.json'], out), 1);
  const text = out.outLines.join('\n');
  assert.match(text, /tiny\/vanilla\/seed1: FAILED .*UNG_ERR_DATASET_MISSING/);
  assert.match(text, /exit code 2 \(NonZeroExitCode\); log .*0\.log, last lines:\n\s+ungreedy: cell 0 on node1\n\s+UNG_ERR_DATASET_MISSING/);
  assert.match(text, /tiny\/vanilla\/seed2: interrupted/, 'a time limit (SIGTERM) leaves a resumable cell');
  assert.ok(existsSync(join(dir, 'out', 'results.md')));
});

test('a rejected submission and a missing sbatch: Slurm\'s own message, exit 2, nothing recorded', async () => {
  const { dir, fake, io } = setup({ partition: 'nope' });
  writeFileSync(join(fake, 'reject'), 'sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n');
  const out = io();
  assert.equal(await main(['compare', 'compare.json', '--detach'], out), 2);
  const err = out.errLines.join('\n');
  assert.match(err, /^UNG_ERR_SLURM_REJECTED: /m);
  assert.match(err, /Reason: [^]*Invalid partition name specified/);
  assert.ok(!existsSync(join(dir, 'out', 'executor.json')), 'no job recorded');
  assert.ok(!existsSync(join(dir, 'out', 'slurm', 'array.sbatch')), 'no script of a failed submission is left');

  const missing = io();
  const env = { ...missing.env, PATH: '/nonexistent' };
  assert.equal(await main(['compare', 'compare.json', '--detach'], { ...missing, env }), 2);
  assert.match(missing.errLines.join('\n'), /^UNG_ERR_SLURM_UNAVAILABLE: .*"sbatch"/m);
  assert.ok(!existsSync(join(dir, 'out', 'executor.json')));
});

test('bad executor options and an unknown executor are config errors pointing into the compare file', async () => {
  const { io } = setup({ throttle: -1, partiton: 'gpu' });
  const out = io();
  assert.equal(await main(['compare', 'compare.json'], out), 2);
  assert.match(out.errLines.join('\n'), /\/executor\/options\/throttle/);
  assert.match(out.errLines.join('\n'), /\/executor\/options.*partiton/);
  const unknown = io();
  assert.equal(await main(['compare', 'compare.json', '--executor', 'kubernetes'], unknown), 2);
  assert.match(unknown.errLines.join('\n'), /\/executor\/use.*unknown executor "kubernetes"/);
  const detachLocal = io();
  assert.equal(await main(['compare', 'compare.json', '--executor', 'local', '--detach'], detachLocal), 2);
  assert.match(detachLocal.errLines.join('\n'), /^UNG_ERR_CLI_USAGE: /m);
});

test('parsers of squeue, scontrol and sacct output; state words; array specs', () => {
  assert.deepEqual(parseSqueue('7', '7_0|RUNNING|None\n7_3|PENDING|Resources\n8_1|RUNNING|None\n'), [
    { task: 0, state: 'RUNNING', exitCode: null, signal: null, reason: null },
    { task: 3, state: 'PENDING', exitCode: null, signal: null, reason: 'Resources' },
  ]);
  assert.deepEqual(parseScontrol('7', 'JobId=9 ArrayJobId=7 ArrayTaskId=2 JobState=CANCELLED Reason=None DerivedExitCode=0:0 ExitCode=143:0\nJobId=7 ArrayJobId=7 ArrayTaskId=4-6%2 JobState=PENDING\n'), [
    { task: 2, state: 'CANCELLED', exitCode: 143, signal: 0, reason: null },
  ]);
  assert.deepEqual(parseSacct('7', '7_1|CANCELLED by 0|0:15\n7_[2-3]|PENDING|0:0\n7_0|COMPLETED|0:0\n'), [
    { task: 1, state: 'CANCELLED', exitCode: 0, signal: 15, reason: 'CANCELLED by 0' },
    { task: 0, state: 'COMPLETED', exitCode: 0, signal: 0, reason: null },
  ]);
  assert.equal(taskStateOf({ task: 0, state: 'COMPLETED', exitCode: 0, signal: 0, reason: null }), 'done');
  assert.equal(taskStateOf({ task: 0, state: 'COMPLETED', exitCode: 1, signal: 0, reason: null }), 'failed');
  assert.equal(taskStateOf({ task: 0, state: 'REQUEUED', exitCode: null, signal: null, reason: null }), 'pending');
  assert.equal(taskStateOf({ task: 0, state: 'COMPLETING', exitCode: null, signal: null, reason: null }), 'running');
  assert.equal(taskStateOf({ task: 0, state: 'PREEMPTED', exitCode: 0, signal: 15, reason: null }), 'failed');
  assert.equal(arraySpec([5, 0, 1, 2, 7, 8, 3]), '0-3,5,7-8');
  assert.equal(arraySpec([4]), '4');
});
