import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { mla } from './index.js';

// MLA needs one head shared by every modality: the kit's fixture and tiny runs are built with it (core's
// `model.heads: 'shared'`).
new StrategyTester({ model: { heads: 'shared' }, trainEpochs: 3 }).run('mla', mla, {
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
