import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../testing/temp-dir.js';
import { join, relative } from 'node:path';
import { main } from '../../app/cli/main.js';
import type { CliIo } from '../../app/cli/cli-command.js';
import { testBackendName } from '../../testing/test-backend.js';
import type { EpochRecord, MetricRecord, RunSummary, StepRecord, UtilizationRecord } from '../run/metric-records.js';

const plugin = join(import.meta.dirname, 'fixtures', 'tiny-plugin.ts');

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  return { code: await main(argv, io), out, err };
}

test('`ungreedy run` trains a two-modality MMTM model on the tiny dataset; `evaluate` re-measures utilization', async () => {
  const dir = tempDir('cli-run');
  writeFileSync(
    join(dir, 'exp.json'),
    JSON.stringify({
      name: 'tiny-mmtm',
      seed: 3,
      backend: testBackendName(),
      plugins: [`./${relative(dir, plugin)}`],
      dataset: { use: 'tiny', options: { sizes: { train: 24, val: 8, test: 12 } } },
      model: {
        encoders: [{ use: 'mlp', options: { hidden: [8, 6] } }],
        fusion: { use: 'mmtm', options: {}, after: [0] },
      },
      strategy: { use: 'vanilla' },
      train: { epochs: 2, batchSize: 8, evalBatchSize: 16 },
    }),
  );
  const r = await cli(['run', 'exp.json', '--out', 'out'], dir);
  assert.equal(r.code, 0, [...r.out, ...r.err].join('\n'));
  const runDir = join(dir, 'out', 'tiny-mmtm-seed3');
  const records = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricRecord);
  const epochs = records.filter((x): x is EpochRecord => x.type === 'epoch');
  const steps = records.filter((x): x is StepRecord => x.type === 'step');
  const util = records.filter((x): x is UtilizationRecord => x.type === 'utilization');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
  assert.equal(steps.length, 2 * 3);
  assert.ok(steps.every((s) => typeof s.dSpeed === 'number'));
  assert.equal(util.length, 1);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'completed');
  assert.deepEqual(summary.utilization, util[0]);
  assert.equal(JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'))['status'], 'completed');
  assert.ok(existsSync(join(runDir, 'checkpoints', 'best', 'index.json')));

  const e = await cli(['evaluate', runDir], dir);
  assert.equal(e.code, 0, [...e.out, ...e.err].join('\n'));
  const again = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricRecord)
    .filter((x): x is UtilizationRecord => x.type === 'utilization');
  assert.equal(again.length, 2);
  assert.deepEqual(again[1], again[0]);
});
