import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { rubi } from './index.js';
import pkg from '../package.json' with { type: 'json' };

new StrategyTester().run('rubi', rubi, {
  plugin,
  packageJson: pkg,
  valid: [{ biasedModality: 0 }, { stopGradient: false }],
  invalid: [
    { options: { biasedModality: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/biasedModality' },
    { options: { biasedModality: 'color' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/biasedModality' },
    { options: { biasedModality: 2 }, numModalities: 2, code: 'UNG_ERR_CONFIG_INVALID', path: '/biasedModality' },
    { options: { stopGradient: 'yes' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/stopGradient' },
    { options: { weight: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/weight' },
  ],
});
