// Encoders that each break one rule of the encoder contract (and one that breaks none), run by
// encoder-tester.test.ts in a child process: the kit must fail exactly the checks named there.
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderContext } from '../../contract/model/encoder.js';
import type { NamedVariable } from '../../contract/model/module.js';
import type { EncoderContribution } from '../../contract/plugin/manifest.js';
import { Rng } from '../../contract/rng/rng.js';
import { EncoderTester } from '../encoder-tester.js';

interface Faults {
  readonly wrongOutShape?: boolean;
  readonly deadParameter?: boolean;
  readonly unseeded?: boolean;
  readonly leaks?: boolean;
  readonly unprefixed?: boolean;
}

/** One dense stage: h = tanh(flatten(x)·W + b), pooled as is. */
function toyEncoder(ctx: EncoderContext, faults: Faults): Encoder {
  const rng = faults.unseeded ? Rng.fromSeed(Math.floor(Math.random() * 2 ** 31), 'own') : ctx.rng;
  const inFeatures = ctx.inputShape.reduce((a, b) => a * b, 1);
  const hidden = 3;
  const vars: NamedVariable[] = [];
  const add = (name: string, shape: number[]): tf.Variable => {
    const init = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
    const v = tf.tidy(() => tf.variable(tf.tensor(init, shape), true, `${name}-${Math.random()}`));
    vars.push({ name: faults.unprefixed ? name : `${ctx.namePrefix}${name}`, variable: v, trainable: true });
    return v;
  };
  const w = add('dense/kernel', [inFeatures, hidden]);
  const b = add('dense/bias', [hidden]);
  if (faults.deadParameter) add('unused', [2]);
  return {
    stages: [
      {
        name: 'dense',
        outShape: [faults.wrongOutShape ? hidden + 1 : hidden],
        apply: (x) => {
          if (faults.leaks) tf.keep(tf.clone(x));
          return tf.tanh(tf.add(tf.matMul(tf.reshape(x, [x.shape[0]!, inFeatures]), w), b));
        },
      },
    ],
    featureSize: hidden,
    pool: (x) => x as tf.Tensor2D,
    variables: () => [...vars],
    dispose: () => vars.forEach((v) => v.variable.dispose()),
  };
}

function toy(faults: Faults = {}): EncoderContribution {
  return {
    meta: { docs: { description: 'A fixture.' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } },
    create: (_options, ctx) => toyEncoder(ctx, faults),
  };
}

const tester = new EncoderTester();
const valid = [{ inputShape: [2, 3] }];

tester.run('sound', toy(), { valid });
tester.run('wrong-out-shape', toy({ wrongOutShape: true }), { valid });
tester.run('dead-parameter', toy({ deadParameter: true }), { valid });
tester.run('unseeded', toy({ unseeded: true }), { valid });
tester.run('leaky', toy({ leaks: true }), { valid });
tester.run('unprefixed', toy({ unprefixed: true }), { valid });
tester.run('wrong-feature-size', toy(), { valid: [{ inputShape: [2, 3], expect: { featureSize: 4 } }] });
tester.run('described', { ...toy(), describe: () => ({ stages: 1, featureSize: 3 }) }, { valid });
tester.run('misdescribed', { ...toy(), describe: () => ({ stages: 2, featureSize: 3 }) }, { valid });
