import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { guided } from './index.js';
import pkg from '../package.json' with { type: 'json' };

new StrategyTester().run('guided', guided, {
  plugin,
  packageJson: pkg,
  valid: [
    { threshold: 0 },
    { warmupEpochs: 0, window: 1 },
    { rebalanceUpdates: 'helped-branch', evaluationMode: 'as-training' },
    { logBase: Math.E, threshold: 0.02 },
  ],
  invalid: [
    { options: { threshold: -0.1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/threshold' },
    { options: { window: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/window' },
    { options: { window: 2.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/window' },
    { options: { warmupEpochs: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/warmupEpochs' },
    { options: { logBase: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/logBase' },
    { options: { logBase: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/logBase' },
    { options: { rebalanceUpdates: 'helped' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/rebalanceUpdates' },
    { options: { evaluationMode: 'train' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/evaluationMode' },
    { options: { alpha: 0.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
