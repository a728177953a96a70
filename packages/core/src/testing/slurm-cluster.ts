import { spawnSync } from 'node:child_process';

/** What {@link slurmCluster} found: a cluster the Slurm integration tests can submit to, or why not. */
export type SlurmClusterState =
  | {
      available: true;
      /** The partition jobs go to when none is named (sinfo marks it with `*`). */
      partition: string;
      /** The config Slurm's commands read (`SLURM_CONF`), when set. */
      slurmConf: string | undefined;
    }
  | { available: false; reason: string };

/** The variable that turns the Slurm integration tests on; .ci/run sets it once the cluster is up. */
export const SLURM_TESTS_VARIABLE = 'UNGREEDY_SLURM_TESTS';

const HOW_TO_START = 'as root: tools/slurm-cluster.sh start && eval "$(tools/slurm-cluster.sh env)" && export UNGREEDY_SLURM_TESTS=1';
// A node in these states takes jobs, at once or when its running jobs end (sinfo(1), NODE STATE CODES); a busy node
// makes a test wait, not fail. `down`, `drained`, `unknown` and any state marked `*` (not responding) do not.
const USABLE_STATES = new Set(['idle', 'mixed', 'allocated', 'completing']);

/**
 * Whether a Slurm cluster is there for the integration tests of `compare --executor slurm`: UNGREEDY_SLURM_TESTS is
 * `1`, `sinfo` answers within 10 s, and a node is up (idle, or busy with jobs). The single-node cluster of
 * tools/slurm-cluster.sh is the one CI starts (packages/core/docs/cluster.md, "A Slurm cluster on one machine (for
 * development and CI)").
 *
 * @param env the environment to look in and to run `sinfo` with (PATH, SLURM_CONF)
 * @example
 * const slurm = slurmCluster();
 * if (slurm.available) submitTo(slurm.partition);
 */
export function slurmCluster(env: NodeJS.ProcessEnv = process.env): SlurmClusterState {
  if (env[SLURM_TESTS_VARIABLE] !== '1') {
    return { available: false, reason: `${SLURM_TESTS_VARIABLE} is not 1 (to run them, ${HOW_TO_START})` };
  }
  const sinfo = spawnSync('sinfo', ['--noheader', '--format=%P|%T'], { env, encoding: 'utf8', timeout: 10_000 });
  const conf = env['SLURM_CONF'];
  const confNote = conf ? `SLURM_CONF=${conf}` : 'SLURM_CONF is not set';
  if (sinfo.error) {
    const code = (sinfo.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { available: false, reason: `sinfo is not on the PATH (Slurm's client is not installed; ${HOW_TO_START})` };
    if (code === 'ETIMEDOUT') return { available: false, reason: `sinfo did not answer within 10 s (${confNote})` };
    return { available: false, reason: `sinfo could not be run: ${sinfo.error.message}` };
  }
  if (sinfo.status !== 0) {
    const said = firstLine(sinfo.stderr) || firstLine(sinfo.stdout) || `exit ${sinfo.status ?? sinfo.signal}`;
    return { available: false, reason: `sinfo failed (${confNote}): ${said}` };
  }
  const rows = sinfo.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [partition = '', state = ''] = line.split('|');
      return { partition, state };
    });
  const usable = rows.filter((row) => USABLE_STATES.has(row.state));
  if (usable.length === 0) {
    const seen = rows.map((row) => `${row.partition} ${row.state}`).join(', ') || 'no partitions';
    return { available: false, reason: `no node is up (sinfo says: ${seen})` };
  }
  const chosen = usable.find((row) => row.partition.endsWith('*')) ?? usable[0]!;
  return { available: true, partition: chosen.partition.replace(/\*$/, ''), slurmConf: conf };
}

let checked: SlurmClusterState | undefined;

/**
 * For `test(name, { skip: slurmTestSkip() }, ...)`: `false` when {@link slurmCluster} finds a cluster, else the
 * reason, printed once per test process as `Slurm tests skipped: <why>`. The cluster is checked once per process.
 */
export function slurmTestSkip(): false | string {
  if (checked === undefined) {
    checked = slurmCluster();
    if (!checked.available) console.log(`Slurm tests skipped: ${checked.reason}`);
  }
  return checked.available ? false : `Slurm tests skipped: ${checked.reason}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}
