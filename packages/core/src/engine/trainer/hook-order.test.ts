import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPlugin } from '../assembly/builtins.js';
import { definePlugin } from '../../contract/plugin/define-plugin.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import { HOOKS, type HookName } from '../../contract/strategy/hooks.js';
import { vanilla } from '../strategy/vanilla.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';
import { HookRecorder } from '../../testing/hook-recorder.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { tempStore, testRegistry, tinyConfig, tinyPlugin, tinyRun } from './fixtures/experiment.js';
import type { HookObserver } from './hook-runner.js';
import { trainExperiment } from '../assembly/train-experiment.js';

before(setupTestBackend);

const EPOCHS = 2;
const BATCHES = 2;

/**
 * The complete expected call list, derived from the HOOKS table (Lightning's test_hooks.py, STYLE.md H13).
 * `lossTerms` is expected only when the strategy has it (the recorder wraps it only then: its presence adds
 * gradient passes); `fuseLogits` (phase `predict`) is counted apart from the step order.
 */
function expectedCalls(withLossTerms = false): { hook: HookName; epoch: number; step: number }[] {
  const names = (Object.keys(HOOKS) as HookName[]).sort((a, b) => HOOKS[a].order - HOOKS[b].order);
  const epochHooks = names.filter((h) => HOOKS[h].phase === 'epoch');
  const stepHooks = names.filter((h) => HOOKS[h].phase === 'step' && (withLossTerms || h !== 'lossTerms'));
  const [begin, ...after] = epochHooks as [HookName, ...HookName[]];
  const out: { hook: HookName; epoch: number; step: number }[] = [];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    out.push({ hook: begin, epoch, step: (epoch - 1) * BATCHES });
    for (let b = 0; b < BATCHES; b++) {
      for (const hook of stepHooks) out.push({ hook, epoch, step: (epoch - 1) * BATCHES + b });
    }
    for (const hook of after) out.push({ hook, epoch, step: epoch * BATCHES });
  }
  return out;
}

test('the HOOKS table lists every hook of the v2 API with its kind', () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(HOOKS).map(([h, s]) => [h, s.kind])),
    {
      onEpochBegin: 'observe',
      chooseForwardMode: 'decide',
      wrapLoss: 'reduce',
      lossTerms: 'decide',
      onAfterBackward: 'observe',
      transformGradients: 'reduce',
      updateMask: 'decide',
      onEpochEnd: 'observe',
      onValidationEnd: 'observe',
      fuseLogits: 'decide',
    },
  );
});

function recorded(recorder: HookRecorder, extra: Partial<BalancingStrategy> = {}) {
  const registry = testRegistry(
    builtinPlugin,
    tinyPlugin,
    definePlugin({
      meta: { name: 'ungreedy-test-recorded', version: '1.0.0', namespace: 'test', coreApi: '^2.0.0' },
      strategies: {
        recorded: {
          meta: vanilla.meta,
          create: async (o, c) => recorder.wrap({ ...(await vanilla.create(o, c)), ...extra }),
        } satisfies StrategyContribution,
      },
    }),
  );
  const config = tinyConfig({
    strategy: { use: 'recorded', options: {} },
    dataset: { use: 'tiny', options: { sizes: { train: BATCHES * 8, val: 4, test: 4 } } },
    train: { epochs: EPOCHS, batchSize: 8 },
  });
  return { registry, config };
}

test('every hook is called in HOOKS order over 2 epochs × 2 batches', async () => {
  const recorder = new HookRecorder();
  const { registry, config } = recorded(recorder);
  await trainExperiment(tinyRun(config, { registry }));
  assert.deepEqual(
    recorder.calls.map(({ hook, epoch, step }) => ({ hook, epoch, step })),
    expectedCalls(),
  );
  assert.deepEqual(recorder.orderProblems(), []);
});

test('with lossTerms (one term) every step hook of HOOKS is called, in order, once per step', async () => {
  const recorder = new HookRecorder();
  const { registry, config } = recorded(recorder, { lossTerms: (input) => ({ fused: input.crossEntropy(input.fused) }) });
  await trainExperiment(tinyRun(config, { registry }));
  assert.deepEqual(
    recorder.calls.map(({ hook, epoch, step }) => ({ hook, epoch, step })),
    expectedCalls(true),
  );
  assert.deepEqual(recorder.orderProblems(), []);
});

test('a run interrupted after 3 steps and resumed makes exactly the same hook calls (no second onEpochBegin)', async () => {
  const recorder = new HookRecorder();
  const { registry, config } = recorded(recorder);
  const store = tempStore();
  const controller = new AbortController();
  let steps = 0;
  const stopper: HookObserver = {
    name: 'stopper',
    order: 'post',
    onAfterBackward: () => {
      if (++steps === 3) controller.abort(new Error('interrupt'));
    },
  };
  await assert.rejects(trainExperiment(tinyRun(config, { registry, store, signal: controller.signal, observers: [stopper] })), /interrupt/);
  const before = recorder.calls.length;
  await trainExperiment(tinyRun(config, { registry, store, resume: true }));
  assert.ok(recorder.calls.length > before);
  assert.deepEqual(
    recorder.calls.map(({ hook, epoch, step }) => ({ hook, epoch, step })),
    expectedCalls(),
  );
});

test('observers run before (pre) and after (post) the strategy on every observe hook', async () => {
  const order: string[] = [];
  const observer = (name: string, o: 'pre' | 'post'): HookObserver => ({
    name,
    order: o,
    onEpochBegin: () => void order.push(`${name}:onEpochBegin`),
    onAfterBackward: () => void order.push(`${name}:onAfterBackward`),
    onEpochEnd: () => void order.push(`${name}:onEpochEnd`),
    onValidationEnd: () => void order.push(`${name}:onValidationEnd`),
  });
  const recorder = new HookRecorder();
  const { registry, config } = recorded(recorder);
  const strategyHooks: string[] = [];
  const probe: HookObserver = {
    name: 'strategy-marker',
    order: 'pre',
    onAfterBackward: () => void strategyHooks.push(String(recorder.calls.length)),
  };
  await trainExperiment(
    tinyRun({ ...config, train: { ...config.train, epochs: 1 } }, { registry, observers: [observer('post1', 'post'), observer('pre1', 'pre'), probe] }),
  );
  assert.deepEqual(order.slice(0, 4), ['pre1:onEpochBegin', 'post1:onEpochBegin', 'pre1:onAfterBackward', 'post1:onAfterBackward']);
  // A pre observer runs before the strategy's onAfterBackward: only onEpochBegin, chooseForwardMode and wrapLoss are recorded.
  assert.equal(strategyHooks[0], '3');
  assert.deepEqual(order.slice(-4), ['pre1:onEpochEnd', 'post1:onEpochEnd', 'pre1:onValidationEnd', 'post1:onValidationEnd']);
});
