import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { mla } from './index.js';

new StrategyTester().run('mla', mla, {
  plugin,
  valid: [
    { gradientModification: false },
    { normalizeProjector: false, includeCurrent: false },
    { alphaBase: 0.5 },
    { fusion: 'mean' },
  ],
  invalid: [
    { options: { alphaBase: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alphaBase' },
    { options: { fusion: 'max' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/fusion' },
    { options: { gradientModification: 'yes' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/gradientModification' },
    { options: { alpha: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
