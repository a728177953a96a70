import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import type { ForwardMode, GradientsByGroup, LossInput, ModalityMask, ParamGroupId, StepContext, StrategyContext } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, stepContext, strategyContext } from '@ungreedy/core/testing';
import { agm } from './index.js';
import type { AgmOptions, AgmStrategy } from './index.js';

// The strategy's hooks on a hand-made step (two modalities, one sample of class 0):
// f({0,1}) = [3, 1], f({0}) = [1, 0] (modality 1 masked), f({1}) = [2, 2] (modality 0 masked)
// → o^0 = [1, −0.5], o^1 = [2, 1.5] → s_0 = ln(1 + e^−1.5) = 0.2014133, s_1 = ln(1 + e^−0.5) = 0.4740770
// → r_0 = exp(s_1 − s_0) = 1.3134585, r_1 = 0.7613488; first step: η = 1, so with α = 1
// κ_0 = exp(1 − r_0) = 0.7309147, κ_1 = exp(1 − r_1) = 1.2695357.

before(setupTestBackend);

const log = silentLogger();
const regular = { kind: 'regular' } as ForwardMode;

function make(options: Partial<AgmOptions> = {}): AgmStrategy {
  return agm.create(resolveOptions('agm', agm.meta, options), { numModalities: 2, log }) as AgmStrategy;
}

function lossInput(masks: ModalityMask[]): LossInput {
  const masked: Record<string, number[]> = { '1': [1, 0], '0': [2, 2] };
  return {
    fused: tf.tensor2d([[3, 1]]),
    oneHot: tf.tensor2d([[1, 0]]),
    baseLoss: tf.scalar(0.5),
    forwardMasked(mask: ModalityMask) {
      masks.push(mask);
      return { fused: tf.tensor2d([masked[mask.modalities.join(',')]!]), heads: [], features: [] };
    },
  } as unknown as LossInput;
}

function grads(): GradientsByGroup {
  const p = (name: string) => ({ name, shape: [2], grad: tf.ones([2]), weight: tf.zeros([2]) });
  return new Map<ParamGroupId, ReturnType<typeof p>[]>([
    ['branch/0', [p('branch0/w')]],
    ['branch/1', [p('branch1/w')]],
    ['head/0', [p('head0/w')]],
  ]) as unknown as GradientsByGroup;
}

function ctxWith(recorded: [string, number][], epoch = 1): StepContext {
  return stepContext({ epoch, metrics: { record: (n: string, v: number) => void recorded.push([n, v]) } } as Partial<StepContext>);
}

test('wrapLoss masks each modality once with zeros and leaves the loss; transformGradients scales each encoder by κ', () => {
  const strategy = make({ alpha: 1 });
  const masks: ModalityMask[] = [];
  const input = lossInput(masks);
  const loss = strategy.wrapLoss!(input, { ...(strategyContext() as StrategyContext), mode: regular });
  assert.equal(loss, input.baseLoss);
  assert.deepEqual(masks, [{ modalities: [1], fill: 'zeros' }, { modalities: [0], fill: 'zeros' }]);
  const recorded: [string, number][] = [];
  const g = grads();
  const out = strategy.transformGradients!(g, ctxWith(recorded));
  const value = (group: ParamGroupId) => Array.from(out.get(group)![0]!.grad.dataSync());
  const close = (a: number[], b: number[]) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-5, `${a} vs ${b}`));
  close(value('branch/0'), [0.7309147, 0.7309147]);
  close(value('branch/1'), [1.2695357, 1.2695357]);
  assert.equal(out.get('head/0'), g.get('head/0'), 'heads are not modulated');
  const m = Object.fromEntries(recorded);
  close([m['score/0']!, m['score/1']!, m['ratio/0']!, m['ratio/1']!, m['coef/0']!, m['coef/1']!], [0.2014133, 0.4740770, 1.3134585, 0.7613488, 0.7309147, 1.2695357]);
  // The scores join the running average: ŝ = s after the first step.
  const state = strategy.stateDict!() as { averages: number[]; count: number };
  assert.equal(state.count, 1);
  close(state.averages, [0.2014133, 0.4740770]);
});

test('outside the modulation window the gradients pass untouched, and the averages still move', () => {
  const strategy = make({ alpha: 1, startEpoch: 3 });
  strategy.wrapLoss!(lossInput([]), { ...(strategyContext() as StrategyContext), mode: regular });
  const recorded: [string, number][] = [];
  const g = grads();
  assert.equal(strategy.transformGradients!(g, ctxWith(recorded, 2)), g);
  assert.equal(Object.fromEntries(recorded)['coef/0'], 1);
  assert.equal((strategy.stateDict!() as { count: number }).count, 1);
});

test('loadStateDict restores the averages and rejects a state of another shape', () => {
  const a = make();
  a.loadStateDict!({ averages: [0.3, 0.5], count: 7 });
  assert.deepEqual(a.stateDict!(), { averages: [0.3, 0.5], count: 7 });
  assert.throws(() => a.loadStateDict!({ averages: [0.3], count: 1 }), /UNG_ERR_CHECKPOINT_MISMATCH/);
});
