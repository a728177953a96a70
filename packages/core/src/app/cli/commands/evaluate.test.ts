import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../cli-command.js';
import { main } from '../main.js';
import { exited, ungreedy, until } from '../../compare/test-fixtures/cli-child.js';
import { LOCK_FILE } from '../../../engine/run/run-lock.js';
import { tempDir } from '../../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../../testing/train-tiny.js';

const fixturePlugin = join(import.meta.dirname, '..', '..', 'compare', 'test-fixtures', 'compare-plugin.mjs');

/** A trained tiny run whose evaluation is long: 800 test samples, one per batch. */
async function trainedRun(): Promise<{ dir: string; runDir: string }> {
  const dir = tempDir('evaluate-signals');
  const plugin = relative(dir, fixturePlugin);
  const config = {
    ...TINY_EXPERIMENT,
    name: 'ev',
    plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`],
    dataset: { use: 'tiny', options: { ...(TINY_EXPERIMENT['dataset'] as { options: object }).options, sizes: { train: 24, val: 0, test: 800 } } },
    train: { ...(TINY_EXPERIMENT['train'] as object), epochs: 1, evalBatchSize: 1 },
    // Training ends with one test pass only; `evaluate` makes three (test, recording, ablated test).
    metrics: { utilization: false, evaluateCheckpoint: 'last' },
    output: { dir: 'runs' },
  };
  writeFileSync(join(dir, 'exp.json'), JSON.stringify(config));
  const { code, err } = await cli(['run', 'exp.json'], dir);
  assert.equal(code, 0, err);
  return { dir, runDir: join(dir, 'runs', 'ev-seed1') };
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIo = { out: () => {}, err: (s) => (err += `${s}\n`), cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  return { code: await main(argv, io), err };
}

test('SIGINT and SIGTERM stop `evaluate` within a batch (exit 130/143, coded message, nothing appended, lock released); while it holds the lock, `run --resume` is refused', async () => {
  const { dir, runDir } = await trainedRun();
  const metrics = join(runDir, 'metrics.jsonl');
  const before = readFileSync(metrics, 'utf8');
  for (const [signal, expected] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const child = ungreedy(['evaluate', runDir], dir);
    const done = exited(child);
    // evaluate takes the folder's lock after its stop-signal handlers are installed, before its passes.
    await until('evaluate to hold the lock', () => existsSync(join(runDir, LOCK_FILE)) && readFileSync(join(runDir, LOCK_FILE), 'utf8').includes(String(child.pid)));
    if (signal === 'SIGINT') {
      const resumed = await cli(['run', '--resume', runDir], dir);
      assert.notEqual(resumed.code, 0);
      assert.match(resumed.err, /UNG_ERR_RUN_LOCKED/);
    }
    const killedAt = Date.now();
    child.kill(signal);
    const { code, stdout, stderr } = await done;
    const out = stdout + stderr;
    assert.equal(code, expected, out);
    assert.ok(Date.now() - killedAt < 10_000, `stopped after ${Date.now() - killedAt} ms`);
    assert.match(out, new RegExp(`UNG_ERR_RUN_INTERRUPTED: the run was stopped by ${signal}\\.`));
    assert.equal(readFileSync(metrics, 'utf8'), before, 'no utilization record appended');
    assert.ok(!existsSync(join(runDir, LOCK_FILE)), 'the lock is released');
  }
});
