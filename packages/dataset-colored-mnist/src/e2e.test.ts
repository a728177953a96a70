import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExperiment, runExperiment, type RunSummary } from '@ungreedy/core/engine';
import { setupTestBackend, silentLogger, testBackendName } from '@ungreedy/core/testing';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A seconds-long Colored-and-gray MNIST experiment: 8x8 digits, two tiny CNN branches, MMTM after each stage. */
function rawConfig(seed: number): Record<string, unknown> {
  return {
    name: 'cmnist-e2e',
    seed,
    backend: testBackendName(),
    plugins: ['@ungreedy/dataset-colored-mnist'],
    dataset: { use: 'colored-mnist', options: { imageSize: 8, trainSize: 256, valSize: 64, testSize: 128 } },
    model: {
      encoders: [{ use: 'cnn', options: { channels: [4, 8] } }],
      fusion: { use: 'mmtm', options: {}, after: [0, 1] },
    },
    strategy: { use: 'vanilla' },
    train: {
      epochs: 2,
      batchSize: 64,
      evalBatchSize: 128,
      optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false },
      scheduler: { type: 'none' },
      completedStopping: 0,
    },
    metrics: { evaluateCheckpoint: 'last', recordWithAugmentation: false },
  };
}

async function run(seed: number): Promise<{ summary: RunSummary; dir: string }> {
  // The plugin is loaded by its package name from this package's folder, as a config file beside it would.
  const experiment = await resolveExperiment(rawConfig(seed), { file: '<e2e>', configDir: packageDir });
  const outcome = await runExperiment({
    experiment,
    target: { parent: mkdtempSync(join(tmpdir(), 'cmnist-e2e-')) },
    log: silentLogger(),
    progress: 'none',
  });
  assert.equal(outcome.status, 'completed', String(outcome.error));
  return { summary: outcome.summary!, dir: outcome.runDir };
}

before(setupTestBackend);

test('a config naming the plugin trains on colored-mnist end to end and repeats exactly with its seed', async () => {
  const a = await run(3);
  assert.equal(a.summary.status, 'completed');
  assert.deepEqual(a.summary.modalityNames, ['gray', 'color']);
  assert.equal(a.summary.epochs, 2);
  const test = a.summary.test!;
  assert.ok(test.acc >= 0 && test.acc <= 100);
  assert.equal(test.accHeads.length, 2);
  const util = a.summary.utilization!;
  assert.ok(util.u.every((u) => Number.isFinite(u)));
  assert.ok(Number.isFinite(util.dUtil));
  const summary = JSON.parse(readFileSync(join(a.dir, 'summary.json'), 'utf8')) as RunSummary;
  assert.deepEqual(summary.test, test);
  const b = await run(3);
  assert.deepEqual(b.summary.test, a.summary.test);
  assert.deepEqual(b.summary.utilization, a.summary.utilization);
});
