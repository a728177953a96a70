import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../contract/data/dataset.js';
import { RngStreams } from '../../contract/rng/rng.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import type { HookObserver } from '../trainer/hook-runner.js';
import { silentLog, tempStore, tinyConfig, tinyRun } from '../trainer/fixtures/experiment.js';
import { assembleRun } from './assemble-run.js';
import { createRootContainer } from './create-root-container.js';
import { registerRunServices } from './create-run-container.js';
import { DATASET, MODEL_BUILDER, STRATEGY_FACTORY } from './tokens.js';
import { trainExperiment } from './train-experiment.js';

const gradients = (): unknown => (tf.engine() as unknown as { gradients: unknown }).gradients;

function runContainer() {
  const config = tinyConfig();
  const { registry } = tinyRun(config);
  const child = createRootContainer({ log: silentLog, registry }).createChildContainer();
  registerRunServices(child, { config, rng: new RngStreams(config.seed), store: tempStore(), log: silentLog });
  return child;
}

test('assembleRun resolves every component from the run\'s container, once, and a registration made before it wins', async () => {
  await setupTestBackend();
  const child = runContainer();
  const own = { numClasses: 3 } as unknown as Dataset;
  child.register(DATASET, { useValue: Promise.resolve(own) });
  const run = assembleRun(child, { configDir: '.' });
  try {
    assert.equal(await run.dataset(), own);
    assert.equal(child.resolve(MODEL_BUILDER), child.resolve(MODEL_BUILDER));
    assert.equal(child.resolve(STRATEGY_FACTORY), child.resolve(STRATEGY_FACTORY), 'factories are resolved once (instance-cached)');
    const { key, pluginName } = await run.strategy(2);
    assert.deepEqual([key, pluginName], ['core/vanilla', '@ungreedy/core']);
  } finally {
    run.dispose();
  }
  // The defaults apply where nothing is registered: the config's dataset, created once per run.
  const plain = assembleRun(runContainer(), { configDir: '.' });
  try {
    const dataset = await plain.dataset();
    assert.equal(await plain.dataset(), dataset);
    assert.equal(dataset.size('train'), 20);
    await dataset.dispose?.();
  } finally {
    plain.dispose();
  }
});

test('the lean backward pass is installed by assembly and restored by dispose, also when runs overlap', async () => {
  await setupTestBackend();
  const stock = gradients();
  const a = assembleRun(runContainer(), { configDir: '.' });
  assert.notEqual(gradients(), stock);
  const b = assembleRun(runContainer(), { configDir: '.' });
  a.dispose();
  a.dispose();
  assert.notEqual(gradients(), stock, 'the other run still trains with it');
  b.dispose();
  assert.equal(gradients(), stock);
});

test('no patch outlives a run: the stock backward pass is back after a completed, a failed and an aborted run', async () => {
  await setupTestBackend();
  const stock = gradients();
  const config = tinyConfig({ train: { epochs: 1 } });
  await trainExperiment(tinyRun(config));
  assert.equal(gradients(), stock, 'after a completed run');

  const crash: HookObserver = { name: 'crash', order: 'post', onAfterBackward: () => { throw new Error('simulated crash'); } };
  await assert.rejects(trainExperiment(tinyRun(config, { observers: [crash] })), /simulated crash/);
  assert.equal(gradients(), stock, 'after a failed run');

  const controller = new AbortController();
  const stopper: HookObserver = { name: 'stopper', order: 'post', onAfterBackward: () => controller.abort(new Error('interrupt')) };
  await assert.rejects(trainExperiment(tinyRun(config, { signal: controller.signal, observers: [stopper] })), /interrupt/);
  assert.equal(gradients(), stock, 'after an aborted run');
});
