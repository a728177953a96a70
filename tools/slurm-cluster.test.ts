// tools/slurm-cluster.sh's commands that need no cluster and no root: the usage, `env`, and `status`/`stop` on a
// folder where nothing runs (packages/core/docs/cluster.md, "A Slurm cluster on one machine"). Starting the cluster is
// checked by .ci/run, and the cluster itself by packages/core/src/testing/slurm-cluster.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = resolve(dirname(fileURLToPath(import.meta.url)), 'slurm-cluster.sh');
const dir = mkdtempSync(join(tmpdir(), 'ungreedy-slurm-cluster-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; out: string } {
  const result = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, UNGREEDY_SLURM_DIR: dir } });
  return { status: result.status, out: result.stdout + result.stderr };
}

test('a wrong or missing command prints the usage and exits 2', () => {
  for (const args of [[], ['restart']]) {
    assert.deepEqual(run(...args), { status: 2, out: 'usage: tools/slurm-cluster.sh start|stop|status|env\n' });
  }
});

test('env points SLURM_CONF at the config in UNGREEDY_SLURM_DIR', () => {
  assert.deepEqual(run('env'), { status: 0, out: `export SLURM_CONF=${dir}/etc/slurm.conf\n` });
});

test('status exits 1 and names the daemons that do not run; stop then says it is not running', () => {
  assert.deepEqual(run('status'), { status: 1, out: 'slurm-cluster: down (munged slurmctld slurmd not running)\n' });
  assert.deepEqual(run('stop'), { status: 0, out: 'slurm-cluster: not running\n' });
});

test('a pid file naming a process that is not the daemon is ignored: stop leaves that process alone', async () => {
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    mkdirSync(join(dir, 'run'), { recursive: true });
    for (const daemon of ['munged', 'slurmctld', 'slurmd']) writeFileSync(join(dir, 'run', `${daemon}.pid`), `${other.pid}\n`);
    assert.deepEqual(run('stop'), { status: 0, out: 'slurm-cluster: not running\n' });
    assert.equal(other.exitCode, null);
    assert.doesNotThrow(() => process.kill(other.pid!, 0));
  } finally {
    other.kill();
  }
});

test('start never overwrites a slurm.conf it did not write: exit 3, naming the file', () => {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'slurm.conf'), 'ClusterName=real\n');
  const { status, out } = run('start');
  assert.equal(status, 3);
  assert.match(out, new RegExp(`^slurm-cluster: not started: ${dir}/etc/slurm.conf was not written by tools/slurm-cluster.sh .*UNGREEDY_SLURM_DIR`));
  assert.equal(readFileSync(join(dir, 'etc', 'slurm.conf'), 'utf8'), 'ClusterName=real\n');
});
