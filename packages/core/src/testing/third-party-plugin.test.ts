import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../contract/rng/rng.js';
import { loadPlugins } from '../engine/plugin/load-plugins.js';
import { driveStrategy } from './drive-strategy.js';
import { learningSpeed, modeKey } from './strategy-context.js';
import { silentLogger } from './silent-logger.js';
import { resolveOptions } from './resolve-options.js';
import { StrategyTester } from './strategy-tester.js';

// A strategy package written outside the workspace (plain ESM JavaScript, no build), loaded by its path through
// the real plugin loader, as a config in this folder naming "../../../../examples/ungreedy-strategy-sandwich" would.
const registry = await loadPlugins({
  specifiers: ['../../../../examples/ungreedy-strategy-sandwich'],
  configDir: dirname(fileURLToPath(import.meta.url)),
});
const found = registry.find('strategies', 'sandwich');
assert.ok(found, 'the loader registered no "sandwich" strategy');
const plugin = found.plugin.manifest;
const sandwich = found.contribution;

new StrategyTester().run('sandwich', sandwich, {
  plugin,
  valid: [{ regularSteps: 0 }, { rebalanceSteps: 3, warmupEpochs: 0 }],
  invalid: [
    { options: { rebalanceSteps: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/rebalanceSteps' },
    { options: { regularSteps: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/regularSteps' },
    { options: { sauce: 'mustard' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/sauce' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});

test('the third-party sandwich schedule: warm-up, then regular / re-balance k, modality by modality', async () => {
  assert.equal(plugin.meta.name, 'ungreedy-strategy-sandwich');
  const options = resolveOptions('sandwich', sandwich.meta, { regularSteps: 1, rebalanceSteps: 2 });
  const strategy = await sandwich.create(options, { numModalities: 2, log: silentLogger() });
  const trace = await driveStrategy(strategy, {
    numModalities: 2,
    stepsPerEpoch: 3,
    toStep: 11,
    rng: Rng.fromSeed(0, 'strategy'),
    speed: () => learningSpeed({ main: [1, 1], bypass: [1, 1] }),
  });
  assert.deepEqual(trace.map((t) => modeKey(t.mode)), [
    'regular', 'regular', 'regular',
    'regular', 'rebalance/0', 'rebalance/0', 'regular', 'rebalance/1', 'rebalance/1',
    'regular', 'rebalance/0',
  ]);
});
