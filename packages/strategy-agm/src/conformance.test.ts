import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { agm } from './index.js';

new StrategyTester().run('agm', agm, {
  plugin,
  valid: [
    { alpha: 0 },
    { alpha: 1, clip: 0.5 },
    { scoreAverage: 'exponential', momentum: 0.5 },
    { maskFill: 'train-mean' },
    { startEpoch: 2, endEpoch: 2 },
  ],
  invalid: [
    { options: { alpha: -0.1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' },
    { options: { clip: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/clip' },
    { options: { scoreAverage: 'ema' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/scoreAverage' },
    { options: { momentum: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/momentum' },
    { options: { maskFill: 'permute' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/maskFill' },
    { options: { startEpoch: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/startEpoch' },
    { options: { endEpoch: 1.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/endEpoch' },
    { options: { beta: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/beta' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
