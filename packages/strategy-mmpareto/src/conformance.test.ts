import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { mmpareto } from './index.js';

new StrategyTester().run('mmpareto', mmpareto, {
  plugin,
  valid: [{ gamma: 1 }, { gamma: 2.5 }],
  invalid: [
    { options: { gamma: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/gamma' },
    { options: { gamma: 'big' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/gamma' },
    { options: { threshold: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/threshold' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
