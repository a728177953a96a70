import { EncoderTester } from '../../../testing/encoder-tester.js';
import { cnn } from './cnn.js';
import { cnn3d } from './cnn3d.js';
import { i3d } from './i3d.js';
import { mlp } from './mlp.js';
import { resnet18 } from './resnet18.js';

// Tiny widths and inputs: the kit checks the contract, not capacity.
const tester = new EncoderTester();

tester.run('mlp', mlp, {
  valid: [
    { options: { hidden: [6, 5] }, inputShape: [4, 3], expect: { featureSize: 5 } },
    { options: { hidden: [3], activation: 'tanh' }, inputShape: [7] },
  ],
  invalid: [{ options: { hidden: [] }, code: 'UNG_ERR_CONFIG_INVALID' }],
});

tester.run('cnn', cnn, {
  valid: [
    { options: { channels: [3, 5], poolSize: 2 }, inputShape: [8, 8, 2], expect: { outShapes: [[4, 4, 3], [2, 2, 5]], featureSize: 5 } },
    { options: { channels: [2], batchNorm: false, pool: 'avg', kernel: 5 }, inputShape: [6, 6, 1] },
  ],
  invalid: [{ inputShape: [8], code: 'UNG_ERR_MODEL_MISMATCH' }],
});

tester.run('cnn3d', cnn3d, {
  valid: [{ options: { channels: [3, 4], pool: [2, 2, 2] }, inputShape: [4, 6, 6, 2], expect: { featureSize: 4 } }],
  invalid: [{ inputShape: [6, 6, 2], code: 'UNG_ERR_MODEL_MISMATCH' }],
});

tester.run('i3d', i3d, {
  valid: [{ options: { width: 1 / 32 }, inputShape: [8, 16, 16, 3] }],
  invalid: [{ inputShape: [16, 16, 3], code: 'UNG_ERR_MODEL_MISMATCH' }],
});

tester.run('resnet18', resnet18, {
  valid: [{ options: { stem: 'cifar', widths: [2, 4, 4, 8] }, inputShape: [8, 8, 3], expect: { featureSize: 8 } }],
  invalid: [{ inputShape: [8, 8, 3, 1], code: 'UNG_ERR_MODEL_MISMATCH' }],
});
