import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { builtinPlugin } from '../assembly/builtins.js';
import type { UngreedyError } from '../../contract/errors/errors.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { BuildModelOptions } from '../model/multimodal-model.js';
import { buildModel } from '../model/build-model.js';
import type { ForwardMode } from '../../contract/model/fusion-block.js';
import type { EpochRecord, MetricRecord, RunSummary, StepRecord, UtilizationRecord } from '../run/metric-records.js';
import { readCheckpointFiles } from './checkpoint.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { tempStore, testRegistry, tinyBuild, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import { testStrategiesPlugin } from './fixtures/test-strategies.js';
import { trainExperiment } from '../assembly/train-experiment.js';
import type { HookObserver } from './hook-runner.js';

before(setupTestBackend);

const registry = () => testRegistry(builtinPlugin, tinyPlugin, testStrategiesPlugin());

/** Metric records without wall-clock fields, for bit-equality. */
function comparable(records: MetricRecord[]): unknown[] {
  return records.map((r) => (r.type === 'epoch' ? { ...r, seconds: 0 } : r));
}

/** An observer that aborts the run after `steps` training steps. */
function abortAfter(steps: number, controller: AbortController): HookObserver {
  let seen = 0;
  return {
    name: 'abort-after',
    order: 'post',
    onAfterBackward: () => {
      if (++seen === steps) controller.abort(new Error('test interrupt'));
    },
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<UngreedyError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isUngreedyError(err), `expected an UngreedyError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

test('end to end: writes per-epoch metrics, per-step d_speed, u and d_util, summary, manifest and checkpoints', async () => {
  const o = tinyRun(tinyConfig(), { registry: registry() });
  const summary = await trainExperiment(o);
  const records = o.store.readMetrics();
  const epochs = records.filter((r): r is EpochRecord => r.type === 'epoch');
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  const util = records.filter((r): r is UtilizationRecord => r.type === 'utilization');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3]);
  assert.equal(steps.length, 3 * Math.ceil(20 / 8));
  assert.deepEqual(steps.map((s) => s.step), [...steps.keys()]);
  assert.ok(steps.every((s) => typeof s.dSpeed === 'number' && s.s.length === 2 && s.mu.main.length === 2));
  for (const e of epochs) {
    assert.equal(e.train.samples, 20);
    assert.equal(e.val!.samples, 9);
    assert.equal(e.test!.samples, 12);
    assert.equal(e.train.accHeads.length, 2);
    assert.deepEqual(e.stepsByMode, { regular: 3 });
  }
  assert.equal(util.length, 1);
  assert.equal(util[0]!.u.length, 2);
  assert.equal(util[0]!.dUtil, util[0]!.u[0]! - util[0]!.u[1]!);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.stoppedBecause, 'max-epochs');
  assert.deepEqual(summary.utilization, util[0]);
  assert.equal(summary.test!.acc, util[0]!.acc);
  const onDisk = JSON.parse(readFileSync(join(o.store.dir, 'summary.json'), 'utf8')) as RunSummary;
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(summary)));
  assert.equal(o.store.readManifest().status, 'completed');
  assert.ok(existsSync(join(o.store.dir, 'checkpoints', 'last', 'index.json')));
  assert.ok(existsSync(join(o.store.dir, 'checkpoints', 'best', 'index.json')));
  // The best checkpoint is the epoch with the highest validation accuracy (first one on ties).
  const best = epochs.reduce((a, b) => (b.val!.acc > a.val!.acc ? b : a));
  assert.equal(summary.bestEpoch, best.epoch);
  assert.equal(util[0]!.epoch, best.epoch);
});

test('a manifest written before training (as the CLI does) gets the dataset facts of describe()', async () => {
  const o = tinyRun(tinyConfig(), { registry: registry() });
  o.store.writeManifest({
    runId: 'cli-made', status: 'running', core: '1.0.0', plugins: [], backend: { name: 'cpu', reason: 'test' },
    node: process.version, gitCommit: null, seed: 1, host: 'h', startedAt: 'then', endedAt: null, resumedAt: [], dataset: {},
  });
  await trainExperiment(o);
  const manifest = o.store.readManifest();
  assert.equal(manifest.runId, 'cli-made');
  assert.ok(Object.keys(manifest.dataset).length > 0, 'the dataset facts should reach the manifest');
});

test('the same seed gives the same run; resumed mid-epoch it ends with bit-equal metrics', async () => {
  const config = tinyConfig({ strategy: { use: 'coin', options: {} }, train: { epochs: 3 } });
  const full = tinyRun(config, { registry: registry() });
  const summaryFull = await trainExperiment(full);

  const controller = new AbortController();
  const store = tempStore();
  const first = tinyRun(config, { registry: registry(), store, signal: controller.signal, observers: [abortAfter(4, controller)] });
  await assert.rejects(trainExperiment(first), /test interrupt/);
  assert.equal(store.readManifest().status, 'interrupted');
  const saved = readCheckpointFiles(store.checkpointDir('last')).state['progress'] as { step: number; inEpoch: boolean };
  assert.equal(saved.step, 4);
  assert.equal(saved.inEpoch, true);
  const summaryResumed = await trainExperiment(tinyRun(config, { registry: registry(), store, resume: true }));

  assert.deepEqual(comparable(store.readMetrics()), comparable(full.store.readMetrics()));
  assert.deepEqual({ ...summaryResumed, seconds: 0 }, { ...summaryFull, seconds: 0 });
  assert.equal(store.readManifest().status, 'completed');
  const modes = store.readMetrics().filter((r): r is StepRecord => r.type === 'step').map((r) => r.mode.kind);
  assert.ok(modes.includes('rebalance'), 'the coin strategy should have re-balanced');
});

test('a crash after a step-scheduled checkpoint resumes from it; metrics equal the uninterrupted run, with no repeated record', async () => {
  const config = tinyConfig({ strategy: { use: 'coin', options: {} }, train: { epochs: 3, checkpointEverySteps: 2 } });
  const full = tinyRun(config, { registry: registry() });
  await trainExperiment(full);

  const store = tempStore();
  let seen = 0;
  const crash: HookObserver = {
    name: 'crash',
    order: 'post',
    onAfterBackward: () => {
      if (++seen === 6) throw new Error('simulated crash');
    },
  };
  await expectCode(trainExperiment(tinyRun(config, { registry: registry(), store, observers: [crash] })), 'UNG_ERR_HOOK_FAILED');
  // The last checkpoint is from after step index 3 (4 steps done); the crashed run had also logged step index 4,
  // which the resume drops before running that step again.
  const stepsOf = (records: MetricRecord[]): number[] => records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.step);
  assert.deepEqual(stepsOf(store.readMetrics()), [0, 1, 2, 3, 4]);
  await trainExperiment(tinyRun(config, { registry: registry(), store, resume: true }));
  assert.deepEqual(stepsOf(store.readMetrics()), stepsOf(full.store.readMetrics()));
  assert.deepEqual(comparable(store.readMetrics()), comparable(full.store.readMetrics()));
});

test('no tensor leaks: the live tensor count is flat from epoch to epoch', async () => {
  const counts: number[] = [];
  const observer: HookObserver = { name: 'leak-check', order: 'post', onEpochEnd: () => void counts.push(tf.memory().numTensors) };
  const before = tf.memory().numTensors;
  await trainExperiment(
    tinyRun(tinyConfig({ strategy: { use: 'coin', options: {} }, train: { epochs: 5, checkpointEverySteps: 2 } }), {
      registry: registry(),
      observers: [observer],
    }),
  );
  assert.equal(counts.length, 5);
  assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts per epoch: ${counts.join(', ')}`);
  assert.equal(tf.memory().numTensors, before);
});

test('a NaN loss stops the run with UNG_ERR_RUN_DIVERGED and keeps the last good checkpoint', async () => {
  const o = tinyRun(tinyConfig({ strategy: { use: 'poison', options: { atStep: 4 } }, train: { checkpointEverySteps: 1 } }), {
    registry: registry(),
  });
  const err = await expectCode(trainExperiment(o), 'UNG_ERR_RUN_DIVERGED');
  assert.deepEqual({ epoch: err.data['epoch'], step: err.data['step'] }, { epoch: 2, step: 4 });
  const { state } = readCheckpointFiles(o.store.checkpointDir('last'));
  assert.equal((state['progress'] as { step: number }).step, 4);
  const summary = JSON.parse(readFileSync(join(o.store.dir, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.status, 'failed');
  assert.equal(summary.stoppedBecause, 'diverged');
  assert.equal(summary.error!.code, 'UNG_ERR_RUN_DIVERGED');
  assert.equal(summary.epochs, 1);
  assert.equal(o.store.readManifest().status, 'failed');
  // The kept checkpoint holds finite weights.
  assert.ok(
    [...readCheckpointFiles(o.store.checkpointDir('last')).tensors.values()].every((t) => t.values.every(Number.isFinite)),
  );
});

test('a throwing strategy hook surfaces as UNG_ERR_HOOK_FAILED with plugin, hook, epoch, step and cause', async () => {
  const o = tinyRun(tinyConfig({ strategy: { use: 'throwing', options: { atStep: 2 } } }), { registry: registry() });
  const err = await expectCode(trainExperiment(o), 'UNG_ERR_HOOK_FAILED');
  assert.deepEqual(err.data, { plugin: 'ungreedy-test-strategies', hook: 'onAfterBackward', epoch: 1, step: 2 });
  assert.ok(err.cause instanceof RangeError);
});

test('bad input is refused before training: modalities the dataset lacks', async () => {
  const o = tinyRun(tinyConfig({ model: { modalities: [0, 5] } }), { registry: registry() });
  const err = await expectCode(trainExperiment(o), 'UNG_ERR_MODEL_MISMATCH');
  assert.deepEqual(err.data, { field: '/model/modalities', modalities: [0, 5], available: 2 });
  assert.equal(o.store.readMetrics().length, 0);
  assert.ok(!existsSync(join(o.store.dir, 'summary.json')));
});

test('bad input is refused before training: encoders that do not match the modalities, unknown ids', async () => {
  const enc = { use: 'mlp', options: {} };
  const o = tinyRun(tinyConfig({ model: { encoders: [enc, enc, enc] } }), { registry: registry() });
  const err = await expectCode(trainExperiment(o), 'UNG_ERR_MODEL_MISMATCH');
  assert.equal(err.data['field'], '/model/encoders');
  const u = await expectCode(trainExperiment(tinyRun(tinyConfig({ strategy: { use: 'gready', options: {} } }), { registry: registry() })), 'UNG_ERR_UNKNOWN_COMPONENT');
  assert.equal(u.data['id'], 'gready');
});

test('resume refuses a folder that is not a run, a different strategy, and a corrupt checkpoint', async () => {
  const empty = tempStore();
  const notRun = await expectCode(trainExperiment(tinyRun(tinyConfig(), { registry: registry(), store: empty, resume: true })), 'UNG_ERR_RUN_NOT_FOUND');
  assert.equal(notRun.data['dir'], empty.dir);

  const o = tinyRun(tinyConfig({ train: { epochs: 1 } }), { registry: registry() });
  await trainExperiment(o);
  const other = tinyConfig({ train: { epochs: 2 }, strategy: { use: 'coin', options: {} } });
  const mismatch = await expectCode(
    trainExperiment(tinyRun(other, { registry: registry(), store: o.store, resume: true })),
    'UNG_ERR_CHECKPOINT_MISMATCH',
  );
  assert.deepEqual({ expected: mismatch.data['expected'], actual: mismatch.data['actual'] }, { expected: 'test/coin', actual: 'core/vanilla' });

  const bin = join(o.store.checkpointDir('last'), 'tensors.bin');
  const bytes = readFileSync(bin);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(bin, bytes);
  await expectCode(
    trainExperiment(tinyRun(tinyConfig({ train: { epochs: 2 } }), { registry: registry(), store: o.store, resume: true })),
    'UNG_ERR_CHECKPOINT_CORRUPT',
  );
});

test('spec 9.14: completed stopping counts epochs at 100 % fused train accuracy, cumulatively, and stops at N', async () => {
  const config = tinyConfig({
    dataset: {
      use: 'tiny',
      options: {
        numClasses: 2,
        sizes: { train: 16, val: 4, test: 4 },
        modalities: [
          { shape: [4], signal: 3, noise: 0.05 },
          { shape: [4], signal: 3, noise: 0.05 },
        ],
      },
    },
    train: { epochs: 40, completedStopping: 2, optimizer: { type: 'sgd', lr: 0.5, momentum: 0.9, weightDecay: 0, nesterov: false } },
  });
  const o = tinyRun(config, { registry: registry() });
  const summary = await trainExperiment(o);
  const epochs = o.store.readMetrics().filter((r): r is EpochRecord => r.type === 'epoch');
  const perfect = epochs.filter((e) => e.train.acc === 100).map((e) => e.epoch);
  assert.equal(summary.stoppedBecause, 'completed-stopping');
  assert.equal(perfect.length, 2);
  assert.equal(epochs.at(-1)!.epoch, perfect[1]);
  assert.equal(summary.epochs, perfect[1]);
});

test('encoder init: a run starts its branches from another run\'s checkpoint, with the path relative to the config folder', async () => {
  const source = tinyRun(tinyConfig({ train: { epochs: 1 }, metrics: { utilization: false } }), { registry: registry() });
  await trainExperiment(source);
  const saved = readCheckpointFiles(join(source.store.dir, 'checkpoints', 'last')).tensors;
  const target = tempStore();
  const from = relative(target.dir, join(source.store.dir, 'checkpoints', 'last'));
  const config = tinyConfig({ train: { epochs: 1 }, metrics: { utilization: false } });
  const encoders = [0, 1].map((k) => ({ ...config.model.encoders[0]!, init: { from, format: 'auto' as const, sourcePrefix: `model/branch.${k}.`, strict: true } }));
  let initial: Map<string, Float32Array> | undefined;
  const capture = async (o: BuildModelOptions) => {
    const m = await buildModel(o);
    initial = new Map(m.variables().map((v) => [v.name, v.variable.dataSync() as Float32Array]));
    return m;
  };
  await trainExperiment(tinyRun({ ...config, model: { ...config.model, encoders } }, { registry: registry(), store: target, buildModel: capture }));
  const branchNames = [...initial!.keys()].filter((n) => n.startsWith('branch.'));
  assert.ok(branchNames.length > 0);
  for (const name of branchNames) {
    assert.deepEqual([...initial!.get(name)!], [...(saved.get(`model/${name}`)!.values)], name);
  }
});

test('spec 9.15: evaluation runs in regular mode or in the last training mode, as the strategy declares', async () => {
  for (const evaluationMode of ['regular', 'as-training'] as const) {
    const seen: ForwardMode[] = [];
    const spy = (o: BuildModelOptions) => {
      const m = tinyBuild(o);
      const forward = m.forward.bind(m);
      m.forward = (inputs, ctx) => {
        if (!ctx.training && ctx.mode.kind !== 'ablate-partner') seen.push(ctx.mode);
        return forward(inputs, ctx);
      };
      return m;
    };
    const o = tinyRun(
      tinyConfig({ train: { epochs: 1 }, strategy: { use: 'always-rebalance', options: { evaluationMode } }, metrics: { utilization: false } }),
      { registry: registry(), buildModel: spy },
    );
    await trainExperiment(o);
    const epoch = o.store.readMetrics().find((r): r is EpochRecord => r.type === 'epoch')!;
    const expected: ForwardMode = evaluationMode === 'regular' ? { kind: 'regular' } : { kind: 'rebalance', modality: 1 };
    assert.deepEqual(epoch.evalMode, expected);
    assert.deepEqual(epoch.stepsByMode, { 'rebalance/1': 3 });
    // val (1 batch) and test (1 batch) ran in the declared mode; the end-of-run test pass is always regular.
    assert.deepEqual(seen, [expected, expected, { kind: 'regular' }]);
  }
});

test('a uni-modal baseline and a late-fusion model have no utilization and no d_speed', async () => {
  const uni = tinyRun(tinyConfig({ model: { modalities: [1] }, train: { epochs: 1 } }), { registry: registry() });
  const s1 = await trainExperiment(uni);
  assert.equal(s1.utilization, null);
  assert.deepEqual(s1.modalities, [1]);
  assert.ok(uni.store.readMetrics().filter((r): r is StepRecord => r.type === 'step').every((r) => r.dSpeed === null));
  const late = tinyRun(tinyConfig({ model: { fusion: { use: 'late', options: {}, after: [] } }, train: { epochs: 1 } }), { registry: registry() });
  const s2 = await trainExperiment(late);
  assert.equal(s2.utilization, null);
  assert.equal(s2.test!.accHeads.length, 2);
});
