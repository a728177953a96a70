// Integration tests of `compare --executor slurm` on a real Slurm cluster (tools/slurm-cluster.sh starts one on this
// machine; docs/cluster.md). Skipped, with the reason printed, where none runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';
import type { RunManifest } from '../../engine/run/metric-records.js';
import { slurmTestSkip } from '../../testing/slurm-cluster.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';

const skip = slurmTestSkip();
const fixturePlugin = join(import.meta.dirname, '..', 'compare', 'test-fixtures', 'compare-plugin.mjs');

function workspace(compare: Record<string, unknown>, epochs: number): { dir: string; file: string } {
  const dir = tempDir('slurm-compare');
  const file = join(dir, 'compare.json');
  const plugin = relative(dir, fixturePlugin);
  const base = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], train: { ...(TINY_EXPERIMENT['train'] as object), epochs } };
  writeFileSync(file, JSON.stringify({ name: 'tiny-slurm', base, unimodal: false, output: { dir: 'out' }, ...compare }, null, 2));
  return { dir, file };
}

function capture(cwd: string): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  // One thread per cell on both executors, so their numbers can be compared.
  const env = { ...process.env, UNGREEDY_LOG_LEVEL: 'silent', OMP_NUM_THREADS: '1' };
  return { out: (l) => outLines.push(l), err: (l) => errLines.push(l), cwd, env, isTTY: false, outLines, errLines };
}

const fast = { executor: { use: 'slurm', options: { pollSeconds: 0.5, cpusPerTask: 1 } } };
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The quickstart's Colored-MNIST compare (recipes/quickstart.yaml), shrunk to a few seconds a cell. */
function coloredMnist(executor: Record<string, unknown>): { dir: string; file: string } {
  const dir = tempDir('slurm-cmnist');
  const file = join(dir, 'compare.json');
  writeFileSync(file, JSON.stringify({
    name: 'cmnist-slurm', seeds: [1, 2], unimodal: false,
    plugins: ['@ungreedy/strategy-guided'],
    strategies: [{ label: 'vanilla', use: 'vanilla' }, { label: 'guided', use: 'guided' }],
    backend: TINY_EXPERIMENT['backend'],
    base: {
      name: 'cmnist',
      plugins: ['@ungreedy/dataset-colored-mnist'],
      dataset: { use: 'colored-mnist', options: { imageSize: 14, trainSize: 256, valSize: 64, testSize: 128, trainColorStd: 0.1, testColors: 'random', valColors: 'as-train' } },
      model: { encoders: [{ use: 'cnn', options: { channels: [8, 16] } }], fusion: { use: 'mmtm', options: { ratio: 4 }, after: [0, 1] } },
      train: { epochs: 2, batchSize: 64, evalBatchSize: 128, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false }, scheduler: { type: 'none' }, completedStopping: 0 },
      metrics: { utilization: true, evaluateCheckpoint: 'best' },
    },
    output: { dir: 'out' },
    executor,
  }, null, 2));
  return { dir, file };
}

test('the quickstart compare (Colored-MNIST, shrunk), 2 strategies x 2 seeds, through a Slurm job array gives the same results.json as --executor local', { skip }, async () => {
  const slurm = coloredMnist(fast.executor);
  const io = capture(slurm.dir);
  assert.equal(await main(['compare', 'compare.json'], io), 0, [...io.outLines, ...io.errLines].join('\n'));
  assert.ok(io.outLines.some((l) => /^Submitted job \d+: 4 cells/.test(l)), io.outLines.join('\n'));
  const script = readFileSync(join(slurm.dir, 'out', 'slurm', 'array.sbatch'), 'utf8');
  assert.match(script, /^#SBATCH --requeue$/m);
  assert.match(script, /^exec .* compare-cell .* "\$SLURM_ARRAY_TASK_ID"$/m);
  const local = coloredMnist({ use: 'local', options: { jobs: 2 } });
  const lio = capture(local.dir);
  assert.equal(await main(['compare', 'compare.json'], lio), 0, lio.errLines.join('\n'));
  // results.json holds no wall times or paths: the whole file must be equal.
  assert.equal(readFileSync(join(slurm.dir, 'out', 'results.json'), 'utf8'), readFileSync(join(local.dir, 'out', 'results.json'), 'utf8'));
  // A rerun of a finished array submits nothing.
  const again = capture(slurm.dir);
  assert.equal(await main(['compare', 'compare.json'], again), 0, again.errLines.join('\n'));
  assert.ok(!again.outLines.some((l) => /^Submitted job/.test(l)), again.outLines.join('\n'));
  assert.equal(again.outLines.filter((l) => /already completed, kept/.test(l)).length, 4);
});

test('--detach returns with the job id; status shows each cell; a cell scancelled after its first checkpoint resumes on the rerun, the finished cells untouched; report writes the tables', { skip }, async () => {
  const { dir } = workspace({ seeds: [1, 2, 3], strategies: [{ label: 'vanilla', use: 'vanilla' }], executor: { use: 'slurm', options: { pollSeconds: 0.5, throttle: 2 } } }, 40);
  const out = join(dir, 'out');
  const io = capture(dir);
  const t0 = Date.now();
  assert.equal(await main(['compare', 'compare.json', '--detach'], io), 0, io.errLines.join('\n'));
  assert.ok(Date.now() - t0 < 20_000, 'detach returns at once (no training in this process)');
  const jobId = /^Job id: (\d+)$/m.exec(io.outLines.join('\n'))?.[1];
  assert.ok(jobId !== undefined, io.outLines.join('\n'));
  assert.deepEqual(readJson<{ jobs: { id: string; indices: number[] }[] }>(join(out, 'executor.json')).jobs.map((j) => [j.id, j.indices]), [[jobId, [0, 1, 2]]]);

  type Status = { job: { active: boolean }; cells: { id: string; state: string; detail: string }[] };
  const status = async (): Promise<Status> => {
    const s = capture(dir);
    assert.equal(await main(['status', 'out', '--json'], s), 0, s.errLines.join('\n'));
    return JSON.parse(s.outLines.join('\n')) as Status;
  };
  const first = (await status()).cells;
  assert.deepEqual(first.map((c) => c.id), ['tiny/vanilla/seed1', 'tiny/vanilla/seed2', 'tiny/vanilla/seed3']);
  for (const c of first) assert.ok(['pending', 'running', 'completed'].includes(c.state), JSON.stringify(c));

  // Rerunning compare while the array is active watches it and does not submit again: checked with a detached rerun.
  const rerun = capture(dir);
  assert.equal(await main(['compare', 'compare.json', '--detach'], rerun), 0, rerun.errLines.join('\n'));
  assert.ok(rerun.outLines.some((l) => l.startsWith(`Job ${jobId} of this folder is still`)), rerun.outLines.join('\n'));
  assert.equal(readJson<{ jobs: unknown[] }>(join(out, 'executor.json')).jobs.length, 1);

  // Cancel task 0 once it has written its first checkpoint.
  const victim = join(out, 'tiny', 'vanilla', 'seed1');
  for (let i = 0; !existsSync(join(victim, 'checkpoints', 'last')); i++) {
    assert.ok(i < 600, 'cell 0 should write a checkpoint within 60 s');
    await sleep(100);
  }
  const cancel = spawnSync('scancel', [`${jobId}_0`], { encoding: 'utf8' });
  assert.equal(cancel.status, 0, cancel.stderr);
  // Wait for the array to end.
  for (let i = 0; ; i++) {
    const { job, cells } = await status();
    if (!job.active) {
      assert.equal(cells[0]!.state, 'interrupted', JSON.stringify(cells[0]));
      assert.deepEqual(cells.slice(1).map((c) => c.state), ['completed', 'completed']);
      break;
    }
    assert.ok(i < 240, `the array should end within 2 min: ${JSON.stringify(cells)}`);
    await sleep(500);
  }
  const fingerprint = (d: string): string[] => ['summary.json', 'manifest.json', 'metrics.jsonl'].map((f) => `${statSync(join(d, f)).mtimeMs}:${createHash('sha256').update(readFileSync(join(d, f))).digest('hex')}`);
  const finished = [2, 3].map((s) => join(out, 'tiny', 'vanilla', `seed${s}`));
  const before = finished.map(fingerprint);

  // The rerun resubmits only the cancelled cell, which resumes from its checkpoint.
  const io2 = capture(dir);
  assert.equal(await main(['compare', 'compare.json'], io2), 0, [...io2.outLines, ...io2.errLines].join('\n'));
  assert.ok(io2.outLines.some((l) => /^Submitted job \d+: 1 cell \(2 already completed\)/.test(l)), io2.outLines.join('\n'));
  assert.ok(io2.outLines.some((l) => /tiny\/vanilla\/seed1: resumed and completed/.test(l)), io2.outLines.join('\n'));
  assert.ok(readJson<RunManifest>(join(victim, 'manifest.json')).resumedAt.length >= 1, 'its manifest says it resumed');
  assert.deepEqual(finished.map(fingerprint), before, 'finished cells are untouched');

  const rep = capture(dir);
  assert.equal(await main(['report', 'out'], rep), 0, rep.errLines.join('\n'));
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /vanilla \| 3\/3/);
});
