import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { pmr } from './index.js';

new StrategyTester().run('pmr', pmr, {
  plugin,
  valid: [
    { alpha: 0 },
    { alpha: 2, momentum: 0 },
    { entropyWeight: 0.01, entropyEpochs: 2 },
    { startEpoch: 2, endEpoch: 2 },
  ],
  invalid: [
    { options: { alpha: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' },
    { options: { momentum: 1.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/momentum' },
    { options: { entropyWeight: -0.1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/entropyWeight' },
    { options: { entropyEpochs: 0.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/entropyEpochs' },
    { options: { startEpoch: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/startEpoch' },
    { options: { endEpoch: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/endEpoch' },
    { options: { mu: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/mu' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
