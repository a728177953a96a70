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

test('a node that is down, drained or busy is no cluster for the tests, and sinfo\'s states are named', () => {
  const state = slurmCluster(fakeSinfo('echo "debug*|down*"; echo "debug*|allocated"'));
  assert.deepEqual(state, { available: false, reason: 'no idle node (sinfo says: debug* down*, debug* allocated)' });
  assert.deepEqual(slurmCluster(fakeSinfo('true')), { available: false, reason: 'no idle node (sinfo says: no partitions)' });
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
