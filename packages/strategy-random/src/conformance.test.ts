import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { random } from './index.js';
import pkg from '../package.json' with { type: 'json' };

new StrategyTester().run('random', random, {
  plugin,
  packageJson: pkg,
  valid: [{ warmupEpochs: 0 }, { rebalanceUpdates: 'helped-branch', evaluationMode: 'as-training' }],
  invalid: [
    { options: { warmupEpochs: 1.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/warmupEpochs' },
    { options: { rebalanceUpdates: 'none' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/rebalanceUpdates' },
    { options: { evaluationMode: 'random' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/evaluationMode' },
    { options: { probability: 0.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/probability' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
