import { rmSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, bypassGroups, mainGroups } from '@ungreedy/core';
import type { StrategyContribution } from '@ungreedy/core';
import { driveStrategy, learningSpeed, modeKey, resolveOptions, scriptedRng, silentLogger, trainTiny } from '@ungreedy/core/testing';
import plugin, { modeForDraw, random } from './index.js';
import type { RandomOptions, RandomStrategy } from './index.js';

const log = silentLogger();
const speed = () => learningSpeed({ main: [1, 1], bypass: [1, 1] });

function make(options: Partial<RandomOptions> = {}, numModalities = 2): RandomStrategy {
  return random.create(resolveOptions('random', random.meta, options), { numModalities, log }) as RandomStrategy;
}

test('the plugin manifest names the package and registers random', () => {
  assert.equal(plugin.meta.name, '@ungreedy/strategy-random');
  assert.equal(plugin.strategies.random, random as StrategyContribution);
});

test('draws 0/1/2 mean regular / re-balance k = 1 / re-balance k = 0, and nothing changes before epoch 2 (docs/method.md#random)', async () => {
  // Epoch 1 (3 steps): no draw at all, so the scripted RNG is not touched (it would throw if over-drawn).
  // From epoch 2 each backward draws the NEXT step's mode: step 3 is regular, steps 4.. follow the script.
  const rng = scriptedRng([0, 1, 2, 2, 1, 0]);
  const trace = await driveStrategy(make(), { numModalities: 2, stepsPerEpoch: 3, toStep: 9, rng, speed });
  assert.deepEqual(trace.map((t) => modeKey(t.mode)), [
    'regular', 'regular', 'regular',
    'regular', // first step after warm-up: nothing drawn yet
    'regular', // draw 0
    'rebalance/1', // draw 1
    'rebalance/0', // draw 2
    'rebalance/0', // draw 2
    'rebalance/1', // draw 1
  ]);
});

test('N modalities: N + 1 choices, draw c ≥ 1 helps modality N − c', () => {
  assert.deepEqual([0, 1, 2, 3].map((c) => modeKey(modeForDraw(c, 3))), ['regular', 'rebalance/2', 'rebalance/1', 'rebalance/0']);
});

test('with the seeded stream the choices are uniform over N + 1 modes', async () => {
  const trace = await driveStrategy(make({ warmupEpochs: 0 }, 3), {
    numModalities: 3,
    stepsPerEpoch: 100,
    toStep: 4001,
    rng: Rng.fromSeed(5, 'strategy'),
    speed: () => learningSpeed({ main: [1, 1, 1], bypass: [1, 1, 1] }),
  });
  const counts = new Map<string, number>();
  for (const t of trace.slice(1)) counts.set(modeKey(t.mode), (counts.get(modeKey(t.mode)) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), ['rebalance/0', 'rebalance/1', 'rebalance/2', 'regular']);
  // 4000 draws, p = 1/4: the standard deviation of a count is ≈ 27, so ±150 is > 5 sigma.
  for (const [key, n] of counts) assert.ok(Math.abs(n - 1000) < 150, `${key}: ${n}`);
});

test('same seed, same decisions; another seed, other decisions', async () => {
  const drive = (seed: number) =>
    driveStrategy(make(), { numModalities: 2, stepsPerEpoch: 5, toStep: 40, rng: Rng.fromSeed(seed, 'strategy'), speed });
  const a = await drive(1);
  assert.deepEqual(await drive(1), a);
  assert.notDeepEqual(await drive(2), a);
});

test('helped-branch masks θ_k + θ′_k on re-balancing steps only', async () => {
  const trace = await driveStrategy(make({ warmupEpochs: 0, rebalanceUpdates: 'helped-branch' }), {
    numModalities: 2,
    stepsPerEpoch: 10,
    toStep: 4,
    rng: scriptedRng([2, 0, 1, 0]),
    speed,
  });
  const groups = (k: number) => [...mainGroups(k), ...bypassGroups(k)].sort();
  assert.deepEqual(trace.map((t) => t.mask), [null, groups(0), null, groups(1)]);
});

test('state survives a JSON round trip; a resumed run continues the same sequence', async () => {
  const opts = { numModalities: 2, stepsPerEpoch: 4, speed };
  const whole = await driveStrategy(make(), { ...opts, toStep: 20, rng: Rng.fromSeed(9, 'strategy') });
  const rng = Rng.fromSeed(9, 'strategy');
  const first = make();
  await driveStrategy(first, { ...opts, toStep: 10, rng });
  const resumed = make();
  resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
  const rest = await driveStrategy(resumed, { ...opts, fromStep: 10, toStep: 20, rng: Rng.fromState(rng.state()) });
  assert.deepEqual(rest, whole.slice(10));
});

test('loadStateDict rejects foreign state', () => {
  assert.throws(() => make().loadStateDict({ mode: 'regular' }), (err: { code: string }) => err.code === 'UNG_ERR_CHECKPOINT_MISMATCH');
});

test('evaluationMode is declared from the option; defaults are the reference values', () => {
  assert.deepEqual(resolveOptions('random', random.meta, {}), { warmupEpochs: 1, rebalanceUpdates: 'all', evaluationMode: 'regular' });
  assert.equal(make({ evaluationMode: 'as-training' }).evaluationMode, 'as-training');
});

test('with the real engine, random mixes regular and both re-balancing modes after warm-up only', async () => {
  const run = await trainTiny({
    plugins: [plugin],
    config: { seed: 2, strategy: { use: 'random' }, train: { epochs: 4, batchSize: 4 } },
  });
  try {
    assert.deepEqual(run.epochs[0]!.stepsByMode, { regular: 6 });
    const later: Record<string, number> = {};
    for (const e of run.epochs.slice(1)) for (const [k, n] of Object.entries(e.stepsByMode)) later[k] = (later[k] ?? 0) + n;
    assert.deepEqual(Object.keys(later).sort(), ['rebalance/0', 'rebalance/1', 'regular']);
    assert.equal(Object.values(later).reduce((a, b) => a + b, 0), 18);
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
});
