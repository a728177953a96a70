import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { ogmGe } from './index.js';

new StrategyTester().run('ogm-ge', ogmGe, {
  plugin,
  valid: [
    { alpha: 0 },
    { alpha: 2, rule: 'eq10' },
    { gaussianEnhancement: false, parameters: 'kernels' },
    { startEpoch: 2, endEpoch: 2 },
  ],
  invalid: [
    { options: { alpha: -0.1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' },
    { options: { rule: 'tanh' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/rule' },
    { options: { startEpoch: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/startEpoch' },
    { options: { endEpoch: 1.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/endEpoch' },
    { options: { startEpoch: 3, endEpoch: 2 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/endEpoch' },
    { options: { gaussianEnhancement: 'yes' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/gaussianEnhancement' },
    { options: { parameters: 'weights' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/parameters' },
    { options: { beta: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/beta' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
