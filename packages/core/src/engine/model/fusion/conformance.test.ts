import { FusionTester } from '../../../testing/fusion-tester.js';
import { late } from './late.js';
import { mmtm } from './mmtm.js';

const tester = new FusionTester();

tester.run('mmtm', mmtm, {
  valid: [{ ratio: 2, gateScale: 2 }, { runningMean: { update: 'ema', momentum: 0.1 } }],
  modes: [{ kind: 'rebalance', modality: 0 }, { kind: 'rebalance', modality: 1 }, { kind: 'ablate-partner' }],
  invalid: [
    { layout: [[3, 3, 4]], code: 'UNG_ERR_MODEL_MISMATCH' },
    { options: { ratio: 1000 }, code: 'UNG_ERR_MODEL_MISMATCH' },
    { options: { ratio: -1 }, code: 'UNG_ERR_CONFIG_INVALID' },
  ],
});

tester.run('late', late, { crossModal: false });
