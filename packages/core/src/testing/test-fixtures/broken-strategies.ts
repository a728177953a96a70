// Strategies that each break one rule of the conformance contract (and one that breaks none), run by
// strategy-tester.test.ts in a child process: the kit must fail exactly the checks named there.
import * as tf from '@tensorflow/tfjs-core';
import { REGULAR } from '../../contract/model/fusion-block.js';
import type { ForwardMode } from '../../contract/model/fusion-block.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import { StrategyTester } from '../strategy-tester.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: { every: { type: 'integer', minimum: 1 } },
  required: ['every'],
};

function contribution(create: (o: { every: number }, n: number) => BalancingStrategy, s: Record<string, unknown> = schema): StrategyContribution {
  return {
    meta: { docs: { description: 'A fixture.' }, defaultOptions: { every: 2 }, schema: s },
    create: (o: { every: number }, ctx) => create(o, ctx.numModalities),
  };
}

const rebalanceEvery = (every: number, step: number): ForwardMode =>
  step % every === 0 ? { kind: 'rebalance', modality: 0 } : REGULAR;

// The "unseeded" strategy's own random stream, ignoring the run's seeded rng as a Math.random user would. It is
// fixed here rather than Math.random itself, so the kit's verdict never depends on luck: with Math.random the five
// decisions the resume check compares agreed by chance about once in 32 runs, and the check then passed.
let ownState = 0x2545f491;
function ownRandom(): number {
  ownState = (Math.imul(ownState, 1664525) + 1013904223) >>> 0;
  return ownState / 2 ** 32;
}

const tester = new StrategyTester({ numModalities: [2], epochs: 2, stepsPerEpoch: 4, leakSteps: 8, trainEpochs: 2 });

// Sound: stateless, deterministic, no tensors.
tester.run('sound', contribution((o) => ({ evaluationMode: 'regular', chooseForwardMode: (c) => rebalanceEvery(o.every, c.step) })), {
  valid: [{ every: 3 }],
  invalid: [{ options: { every: 0 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/every' }],
});

// Accepts anything: an empty schema.
tester.run('empty-schema', contribution(() => ({ evaluationMode: 'regular' }), {}), { valid: [], invalid: [] });

// Re-balances a modality the model does not have.
tester.run('bad-mode', contribution((_o, n) => ({ evaluationMode: 'regular', chooseForwardMode: () => ({ kind: 'rebalance', modality: n }) })), {
  valid: [],
  invalid: [],
});

// Masks a group no model has.
tester.run(
  'unknown-group',
  contribution(() => ({ evaluationMode: 'regular', updateMask: () => new Set<ParamGroupId>(['branch/7']) })),
  { valid: [], invalid: [] },
);

// Counts steps itself but cannot save the count.
tester.run(
  'stateful-without-state',
  contribution((o) => {
    let seen = 0;
    return { evaluationMode: 'regular', chooseForwardMode: () => rebalanceEvery(o.every, seen), onAfterBackward: () => void seen++ };
  }),
  { valid: [], invalid: [] },
);

// Ignores the run's seeded stream.
tester.run(
  'unseeded',
  contribution(() => ({
    evaluationMode: 'regular',
    chooseForwardMode: () => (ownRandom() < 0.5 ? REGULAR : { kind: 'rebalance', modality: 1 }),
  })),
  { valid: [], invalid: [] },
);

// Keeps one tensor per step.
const kept: tf.Tensor[] = [];
tester.run(
  'leaky',
  contribution(() => ({ evaluationMode: 'regular', onAfterBackward: () => void kept.push(tf.scalar(1)) })),
  { valid: [], invalid: [] },
);

// Frees the trainer's gradients.
tester.run(
  'disposes-gradients',
  contribution(() => ({
    evaluationMode: 'regular',
    onAfterBackward: (grads) => {
      for (const list of grads.values()) for (const g of list) g.grad.dispose();
    },
  })),
  { valid: [], invalid: [] },
);

// Rejects an option with the wrong code and without a path.
tester.run(
  'wrong-error',
  contribution((o) => {
    if (o.every > 5) throw new UngreedyError('UNG_ERR_MODEL_MISMATCH', 'every must be ≤ 5.', {});
    return { evaluationMode: 'regular' };
  }),
  { valid: [], invalid: [{ options: { every: 6 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/every' }] },
);
