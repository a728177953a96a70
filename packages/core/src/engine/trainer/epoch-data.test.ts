import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { builtinPlugin } from '../assembly/builtins.js';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';
import { vanilla } from '../strategy/vanilla.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

function registryWith(make: () => BalancingStrategy) {
  const contribution: StrategyContribution = { meta: vanilla.meta, create: () => make() };
  return testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({ meta: { name: 'ungreedy-test-data', version: '1.0.0', namespace: 'd', coreApi: '^2.0.0' }, strategies: { s: contribution } }),
  );
}

test('EpochContext.data: an inference pass over train in dataset order, tensors freed, run unchanged (PMR prototypes)', async () => {
  const passes: { indices: number[]; labels: number[]; shapes: string; sizes: number }[] = [];
  let leaked = 0;
  const config = tinyConfig({ strategy: { use: 's', options: {} }, train: { epochs: 2 } });
  const registry = registryWith(() => ({
    evaluationMode: 'regular',
    onEpochBegin: async (ctx) => {
      const before = tf.memory().numTensors;
      const indices: number[] = [];
      const labels: number[] = [];
      let shapes = '';
      await ctx.data.forEachBatch('train', (out) => {
        indices.push(...out.indices);
        labels.push(...out.labels);
        shapes = JSON.stringify([out.features.map((f) => f.shape), out.heads.map((h) => h.shape), out.fused.shape]);
      }, { batchSize: 7 });
      leaked += tf.memory().numTensors - before;
      passes.push({ indices, labels, shapes, sizes: ctx.data.size('train') * 100 + ctx.data.numClasses });
    },
  }));
  const o = tinyRun(config, { registry });
  await trainExperiment(o);
  const plain = tinyRun({ ...config, strategy: { use: 'vanilla', options: {} } });
  await trainExperiment(plain);
  assert.equal(passes.length, 2);
  assert.deepEqual(passes[0]!.indices, [...Array(20).keys()], 'dataset order, every train sample once');
  assert.deepEqual(passes[0], { ...passes[1], shapes: passes[0]!.shapes });
  assert.equal(passes[0]!.sizes, 20 * 100 + 3);
  assert.match(passes[0]!.shapes, /^\[\[\[6,\d+\],\[6,\d+\]\],\[\[6,3\],\[6,3\]\],\[6,3\]\]$/, 'the last batch of 20 by 7 has 6 rows');
  assert.equal(leaked, 0);
  const losses = (s: typeof o.store) => s.readMetrics().flatMap((r) => (r.type === 'step' ? [r.loss] : []));
  assert.deepEqual(losses(o.store), losses(plain.store), 'an extra pass draws from no run stream and changes nothing');
});

test('StepContext.batch: labels and per-head softmax rows of the step, from the same single read', async () => {
  let checked = 0;
  const registry = registryWith(() => ({
    evaluationMode: 'regular',
    onAfterBackward: (_grads, ctx) => {
      const { labels, headProbs, numClasses } = ctx.batch;
      assert.equal(numClasses, 3);
      assert.equal(headProbs.length, 2);
      for (const p of headProbs) {
        assert.equal(p.length, labels.length * numClasses);
        for (let r = 0; r < labels.length; r++) {
          const row = p.subarray(r * numClasses, (r + 1) * numClasses);
          assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5);
        }
      }
      assert.ok(labels.every((l) => l >= 0 && l < numClasses));
      checked++;
    },
  }));
  await trainExperiment(tinyRun(tinyConfig({ strategy: { use: 's', options: {} }, train: { epochs: 1 } }), { registry }));
  assert.equal(checked, 3);
});
