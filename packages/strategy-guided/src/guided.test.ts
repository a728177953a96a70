import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGULAR, Rng, bypassGroups, mainGroups } from '@ungreedy/core';
import type { ForwardMode, StrategyContribution } from '@ungreedy/core';
import {
  driveStrategy,
  learningSpeed,
  learningSpeedWithD,
  modeKey,
  resolveOptions,
  silentLogger,
  stepContext,
  strategyContext,
} from '@ungreedy/core/testing';
import plugin, { guided } from './index.js';
import type { GuidedOptions, GuidedStrategy } from './index.js';

const log = silentLogger();

function make(options: Partial<GuidedOptions> = {}, numModalities = 2): GuidedStrategy {
  return guided.create(resolveOptions('guided', guided.meta, options), { numModalities, log }) as GuidedStrategy;
}

/** Runs the state machine on a scripted d per step (two modalities); returns the mode key of each step. */
async function run(strategy: GuidedStrategy, ds: readonly number[], stepsPerEpoch: number): Promise<string[]> {
  const trace = await driveStrategy(strategy, {
    numModalities: 2,
    stepsPerEpoch,
    toStep: ds.length,
    rng: Rng.fromSeed(1, 'strategy'),
    speed: (mode: ForwardMode, step: number) => learningSpeedWithD(ds[step]!, mode.kind === 'regular'),
  });
  return trace.map((t) => modeKey(t.mode));
}

test('the plugin manifest names the package and registers guided', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-guided');
  assert.equal(plugin.meta.namespace, 'guided');
  assert.equal(plugin.strategies.guided, guided as StrategyContribution);
});

test('the defaults are the reference values (docs/method.md#guided)', () => {
  const o = resolveOptions('guided', guided.meta, {});
  assert.deepEqual(o, {
    warmupEpochs: 1,
    threshold: 0.01,
    window: 5,
    logBase: 10,
    rebalanceUpdates: 'all',
    evaluationMode: 'regular',
  });
});

test('no re-balancing during the warm-up epoch, whatever d is (docs/method.md#guided)', async () => {
  const modes = await run(make(), Array.from({ length: 4 }, () => 5), 4);
  assert.deepEqual(modes, ['regular', 'regular', 'regular', 'regular']);
});

test('a trigger schedules exactly Q re-balancing steps, then a regular step recomputes d (docs/method.md#guided)', async () => {
  // Epoch 1 (4 steps) is warm-up. Step 4: d = 0.5 > ε triggers k = 0; steps 5..9 re-balance whatever d says;
  // step 10 is regular and sees d = −0.5 → k = 1 for steps 11..15; step 16 sees |d| ≤ ε and stays regular.
  const ds = [1, 1, 1, 1, 0.5, -9, -9, -9, -9, -9, -0.5, 9, 9, 9, 9, 9, 0.01, 0];
  const modes = await run(make(), ds, 4);
  assert.deepEqual(modes, [
    'regular', 'regular', 'regular', 'regular',
    'regular',
    'rebalance/0', 'rebalance/0', 'rebalance/0', 'rebalance/0', 'rebalance/0',
    'regular',
    'rebalance/1', 'rebalance/1', 'rebalance/1', 'rebalance/1', 'rebalance/1',
    'regular', 'regular',
  ]);
});

test('the sign of d picks the helped modality; |d| ≤ ε stays regular', async () => {
  for (const [d, expected] of [
    [0.011, 'rebalance/0'],
    [-0.011, 'rebalance/1'],
    [0.0099, 'regular'],
    [-0.0099, 'regular'],
    [0, 'regular'],
  ] as const) {
    const modes = await run(make({ warmupEpochs: 0 }), [d, 0], 10);
    assert.equal(modes[1], expected, `d = ${d}`);
  }
});

test('the comparison with ε is strict (|d| = ε exactly does not trigger)', () => {
  // log2(2 / 1) − log2(1 / 1) = 1 exactly.
  for (const [threshold, expected] of [[1, 'regular'], [0.999, 'rebalance/0']] as const) {
    const s = make({ warmupEpochs: 0, logBase: 2, threshold });
    s.onEpochBegin(strategyContext({ epoch: 1 }));
    s.onAfterBackward(new Map(), stepContext({ speed: learningSpeed({ main: [1, 1], bypass: [2, 1] }) }));
    assert.equal(modeKey(s.chooseForwardMode()), expected, `threshold ${threshold}`);
  }
});

test('the window, threshold and warm-up options change the schedule', async () => {
  const modes = await run(make({ warmupEpochs: 2, window: 2, threshold: 0.3 }), [...Array(6).fill(1), 0.2, 0.4, 0, 0, 0], 3);
  assert.deepEqual(modes, [
    ...Array(6).fill('regular'),
    'regular', // 0.2 ≤ 0.3
    'regular', // 0.4 > 0.3 triggers
    'rebalance/0', 'rebalance/0',
    'regular',
  ]);
});

test('logBase rescales d: a 1.05 ratio is 0.021 in log10 (triggers) but 0.0049 in base 1000 (does not)', async () => {
  const speed = learningSpeed({ main: [1, 1], bypass: [1.05, 1] });
  for (const [logBase, expected] of [[10, 'rebalance/0'], [1000, 'regular']] as const) {
    const s = make({ warmupEpochs: 0, logBase });
    s.onEpochBegin(strategyContext({ epoch: 1 }));
    s.onAfterBackward(new Map(), stepContext({ speed }));
    assert.equal(modeKey(s.chooseForwardMode()), expected, `logBase ${logBase}`);
  }
});

test('an unusable speed (no fusion parameters, NaN) never triggers', async () => {
  const s = make({ warmupEpochs: 0 });
  s.onEpochBegin(strategyContext({ epoch: 1 }));
  s.onAfterBackward(new Map(), stepContext({ speed: learningSpeed({ main: [1, 1], bypass: [0, 0] }) }));
  assert.deepEqual(s.chooseForwardMode(), REGULAR);
});

test('N = 3: triggers on max − min > ε and helps argmax s_k', async () => {
  const s = make({ warmupEpochs: 0 }, 3);
  s.onEpochBegin(strategyContext({ epoch: 1, numModalities: 3 }));
  // s = log10([1, 3, 2]) → spread 0.48, argmax 1.
  s.onAfterBackward(new Map(), stepContext({ numModalities: 3, speed: learningSpeed({ main: [1, 1, 1], bypass: [1, 3, 2] }) }));
  assert.deepEqual(s.chooseForwardMode(), { kind: 'rebalance', modality: 1 });
  const flat = make({ warmupEpochs: 0 }, 3);
  flat.onEpochBegin(strategyContext({ epoch: 1, numModalities: 3 }));
  flat.onAfterBackward(new Map(), stepContext({ numModalities: 3, speed: learningSpeed({ main: [1, 1, 1], bypass: [1, 1.01, 1.02] }) }));
  assert.deepEqual(flat.chooseForwardMode(), REGULAR);
});

test('rebalanceUpdates: all updates every group; helped-branch only θ_k + θ′_k on re-balancing steps', async () => {
  const ds = [1, 1, 1, 1, 1];
  const run2 = async (rebalanceUpdates: GuidedOptions['rebalanceUpdates']) =>
    driveStrategy(make({ warmupEpochs: 0, window: 2, rebalanceUpdates }), {
      numModalities: 2,
      stepsPerEpoch: 10,
      toStep: ds.length,
      rng: Rng.fromSeed(1, 'strategy'),
      speed: (mode, step) => learningSpeedWithD(ds[step]!, mode.kind === 'regular'),
    });
  const all = await run2('all');
  assert.deepEqual(all.map((t) => t.mask), [null, null, null, null, null]);
  const helped = await run2('helped-branch');
  const k0 = [...mainGroups(0), ...bypassGroups(0)].sort();
  // The triggering regular step's own update is applied to everything.
  assert.deepEqual(helped.map((t) => modeKey(t.mode)), ['regular', 'rebalance/0', 'rebalance/0', 'regular', 'rebalance/0']);
  assert.deepEqual(helped.map((t) => t.mask), [null, k0, k0, null, k0]);
  assert.deepEqual(k0, ['branch/0', 'fusion/0', 'fusion/shared', 'head/0']);
});

test('state survives a JSON round trip in the middle of a window', async () => {
  const ds = [1, 1, -1, -1, 0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, 0.5];
  const speed = (mode: ForwardMode, step: number) => learningSpeedWithD(ds[step]!, mode.kind === 'regular');
  const opts = { numModalities: 2, stepsPerEpoch: 2, rng: Rng.fromSeed(3, 'strategy'), speed };
  const wholeStrategy = make({ window: 3 });
  const whole = await driveStrategy(wholeStrategy, { ...opts, toStep: ds.length });
  const first = make({ window: 3 });
  await driveStrategy(first, { ...opts, toStep: 5 });
  const saved = JSON.parse(JSON.stringify(first.stateDict()));
  assert.equal(saved.mode, 'rebalance');
  const resumed = make({ window: 3 });
  resumed.loadStateDict(saved);
  const rest = await driveStrategy(resumed, { ...opts, fromStep: 5, toStep: ds.length });
  assert.deepEqual(rest, whole.slice(5));
  assert.deepEqual(resumed.stateDict(), wholeStrategy.stateDict());
  assert.ok(rest.some((t) => t.mode.kind === 'rebalance'));
});

test('loadStateDict rejects state of another strategy', () => {
  assert.throws(
    () => make().loadStateDict({ next: 'regular' }),
    (err: { code: string; data: { strategy: string } }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH' && err.data.strategy === 'guided',
  );
  assert.throws(
    () => make().loadStateDict({ unlocked: true, mode: 'rebalance', modality: 2, counter: 0, triggers: 1 }),
    (err: { code: string }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH',
  );
  assert.throws(
    () => make().loadStateDict({ unlocked: true, mode: 'rebalance', modality: null, counter: 0, triggers: 1 }),
    (err: { code: string }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH',
  );
});

test('evaluationMode is declared from the option', () => {
  assert.equal(make().evaluationMode, 'regular');
  assert.equal(make({ evaluationMode: 'as-training' }).evaluationMode, 'as-training');
});

test('create refuses a uni-modal model', () => {
  assert.throws(
    () => guided.create(resolveOptions('guided', guided.meta, {}), { numModalities: 1, log }),
    (err: { code: string; data: { numModalities: number } }) => err.code === 'UNG_ERR_MODEL_MISMATCH' && err.data.numModalities === 1,
  );
});
