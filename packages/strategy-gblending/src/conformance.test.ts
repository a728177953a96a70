import { StrategyTester } from '@ungreedy/core/testing';
import plugin, { gblending } from './index.js';

new StrategyTester().run('gblending', gblending, {
  plugin,
  valid: [{ mode: 'online' }, { superEpoch: 2 }, { fusedTerm: false }],
  invalid: [
    { options: { mode: 'batch' }, code: 'UNG_ERR_CONFIG_INVALID', path: '/mode' },
    { options: { superEpoch: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/superEpoch' },
    { options: { superEpoch: 1.5 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/superEpoch' },
    { options: { fusedTerm: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/fusedTerm' },
    { options: { weights: [1, 1] }, code: 'UNG_ERR_CONFIG_INVALID', path: '/weights' },
    { options: {}, numModalities: 1, code: 'UNG_ERR_MODEL_MISMATCH' },
  ],
});
