import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { slurmCluster, slurmTestSkip } from './slurm-cluster.js';
import { tempDir } from './temp-dir.js';

// A folder holding a stand-in `sinfo` script, so each answer Slurm can give is checked whether or not a cluster runs.
function fakeSinfo(script: string): NodeJS.ProcessEnv {
  const bin = tempDir('fake-sinfo');
  writeFileSync(join(bin, 'sinfo'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, 'sinfo'), 0o755);
  return { PATH: `${bin}:/usr/bin:/bin`, UNGREEDY_SLURM_TESTS: '1', SLURM_CONF: '/nowhere/slurm.conf' };
}

test('without UNGREEDY_SLURM_TESTS=1 the cluster is not asked, and the reason says how to start one', () => {
  for (const value of [undefined, '0', 'yes']) {
    const state = slurmCluster({ ...fakeSinfo('echo "debug*|idle"'), UNGREEDY_SLURM_TESTS: value });
    assert.equal(state.available, false);
    assert.match(state.available ? '' : state.reason, /^UNGREEDY_SLURM_TESTS is not 1 .*tools\/slurm-cluster\.sh start/);
  }
});

test('an idle node makes the cluster available, on the default partition (the one sinfo marks with *)', () => {
  const env = fakeSinfo('[ "$1 $2" = "--noheader --format=%P|%T" ] || exit 9\necho "gpu|mixed"\necho "debug*|idle"');
  assert.deepEqual(slurmCluster(env), { available: true, partition: 'debug', slurmConf: '/nowhere/slurm.conf' });
  assert.deepEqual(slurmCluster(fakeSinfo('echo "gpu|mixed"; echo "debug*|down*"')), {
    available: true,
    partition: 'gpu',
    slurmConf: '/nowhere/slurm.conf',
  });
});

test('a node that is down, drained or not responding is no cluster for the tests, and sinfo\'s states are named', () => {
  const state = slurmCluster(fakeSinfo('echo "debug*|down*"; echo "debug*|drained"; echo "debug*|idle*"'));
  assert.deepEqual(state, { available: false, reason: 'no node is up (sinfo says: debug* down*, debug* drained, debug* idle*)' });
  assert.deepEqual(slurmCluster(fakeSinfo('true')), { available: false, reason: 'no node is up (sinfo says: no partitions)' });
});

test('a node busy with jobs is a cluster for the tests: their jobs wait for it', () => {
  assert.deepEqual(slurmCluster(fakeSinfo('echo "debug*|allocated"')), { available: true, partition: 'debug', slurmConf: '/nowhere/slurm.conf' });
});

test('a failing sinfo gives its own first error line and the SLURM_CONF it read', () => {
  const state = slurmCluster(fakeSinfo('echo "sinfo: error: Could not establish a configuration source" >&2\necho "more" >&2\nexit 1'));
  assert.deepEqual(state, {
    available: false,
    reason: 'sinfo failed (SLURM_CONF=/nowhere/slurm.conf): sinfo: error: Could not establish a configuration source',
  });
  const { SLURM_CONF: _, ...noConf } = fakeSinfo('exit 4');
  assert.deepEqual(slurmCluster(noConf), { available: false, reason: 'sinfo failed (SLURM_CONF is not set): exit 4' });
});

test('no sinfo on the PATH says Slurm\'s client is not installed', () => {
  const state = slurmCluster({ PATH: tempDir('empty-path'), UNGREEDY_SLURM_TESTS: '1' });
  assert.equal(state.available, false);
  assert.match(state.available ? '' : state.reason, /^sinfo is not on the PATH/);
});

test('slurmTestSkip answers as slurmCluster does for this process, and the same on every call', () => {
  const state = slurmCluster();
  const skip = slurmTestSkip();
  assert.equal(skip, state.available ? false : `Slurm tests skipped: ${state.reason}`);
  assert.equal(slurmTestSkip(), skip);
});

test('where the cluster is available, Slurm\'s own commands reach it on that partition', { skip: slurmTestSkip() }, () => {
  const state = slurmCluster();
  assert.ok(state.available);
  const squeue = spawnSync('squeue', ['--noheader', `--partition=${state.partition}`], { encoding: 'utf8' });
  assert.equal(squeue.status, 0, squeue.stderr);
});

// The commands the Slurm executor relies on, against the running cluster (packages/core/docs/cluster.md, "A finished
// array task's state and exit code, without sacct"). Each polls squeue; a busy node makes them wait, not fail.
function slurm(command: string, ...args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Each array task's state, by index: `squeue --states=all -o '%K %T'`. */
function taskStates(job: string): Map<string, string> {
  const lines = slurm('squeue', '--states=all', '--noheader', `--jobs=${job}`, '--format=%K %T').split('\n');
  return new Map(lines.filter((line) => line !== '').map((line) => line.split(' ') as [string, string]));
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out after 60 s waiting until ${what}`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

function submit(...args: string[]): string {
  const dir = tempDir('slurm-job');
  return slurm('sbatch', '--parsable', `--chdir=${dir}`, `--output=${dir}/%a.out`, '--open-mode=append', ...args);
}

test('an array runs both tasks; squeue --states=all gives each state and scontrol -o show job each exit code', { skip: slurmTestSkip() }, async () => {
  const job = submit('--array=0-1', '--wrap=exit $((SLURM_ARRAY_TASK_ID * 3))');
  try {
    const finished = new Set(['COMPLETED', 'FAILED']);
    await until('both tasks finish', () => [...taskStates(job).values()].filter((state) => finished.has(state)).length === 2);
    assert.deepEqual(taskStates(job), new Map([['0', 'COMPLETED'], ['1', 'FAILED']]));
    const exits = slurm('scontrol', '--oneliner', 'show', 'job', job)
      .split('\n')
      .map((line) => `${/ArrayTaskId=(\S+)/.exec(line)?.[1]} ${/ JobState=(\S+)/.exec(line)?.[1]} ${/ ExitCode=(\S+)/.exec(line)?.[1]}`);
    assert.deepEqual(exits.sort(), ['0 COMPLETED 0:0', '1 FAILED 3:0']);
  } finally {
    spawnSync('scancel', [job]);
  }
});

test('scancel ends a running array task as CANCELLED; a --requeue task requeued with scontrol runs again', { skip: slurmTestSkip() }, async () => {
  const job = submit('--array=0-1', '--requeue', '--wrap=sleep 60');
  try {
    await until('both tasks run', () => [...taskStates(job).values()].every((state) => state === 'RUNNING') && taskStates(job).size === 2);
    slurm('scancel', `${job}_1`);
    slurm('scontrol', 'requeue', `${job}_0`);
    await until('task 1 is cancelled and task 0 pending', () => taskStates(job).get('1') === 'CANCELLED' && taskStates(job).get('0') === 'PENDING');
    // Slurm holds a requeued batch job about 2 minutes (Reason=BeginTime); StartTime=now lets it start at once.
    slurm('scontrol', 'update', `jobid=${job}_0`, 'StartTime=now');
    await until('task 0 runs again', () => taskStates(job).get('0') === 'RUNNING');
    assert.match(slurm('scontrol', '--oneliner', 'show', 'job', `${job}_0`), / Restarts=1 /);
  } finally {
    spawnSync('scancel', [job]);
  }
});
