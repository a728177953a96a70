// A balancing strategy written the way a third party would publish it: plain ESM JavaScript, no build step,
// @ungreedy/core as a peer dependency. After `warmupEpochs`, the steps follow a fixed schedule that visits the
// modalities in turn: `regularSteps` regular steps, then `rebalanceSteps` steps re-balancing modality k, then the
// same for k + 1, and so on. The schedule is a function of the step counter alone, so the strategy keeps no
// state and needs no stateDict.
import { definePlugin, REGULAR, UngreedyError } from '@ungreedy/core';
import pkg from './package.json' with { type: 'json' };

/** @typedef {{ warmupEpochs: number, regularSteps: number, rebalanceSteps: number }} SandwichOptions */

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    warmupEpochs: { type: 'integer', minimum: 0, description: 'Epochs of plain joint training before the schedule starts.' },
    regularSteps: { type: 'integer', minimum: 0, description: 'Regular steps before each re-balancing slice.' },
    rebalanceSteps: { type: 'integer', minimum: 1, description: 'Re-balancing steps per modality and round.' },
  },
  required: ['warmupEpochs', 'regularSteps', 'rebalanceSteps'],
};

/**
 * The mode of a training step under the schedule.
 * @param {SandwichOptions} options
 * @param {{ epoch: number, step: number, stepsPerEpoch: number, numModalities: number }} ctx
 */
export function sandwichMode(options, ctx) {
  if (ctx.epoch <= options.warmupEpochs) return REGULAR;
  const slice = options.regularSteps + options.rebalanceSteps;
  const t = (ctx.step - options.warmupEpochs * ctx.stepsPerEpoch) % (slice * ctx.numModalities);
  const modality = Math.floor(t / slice);
  return t % slice < options.regularSteps ? REGULAR : { kind: 'rebalance', modality };
}

const sandwich = {
  meta: {
    docs: { description: 'Regular and re-balancing steps alternate on a fixed schedule, modality by modality.' },
    /** @type {SandwichOptions} */
    defaultOptions: { warmupEpochs: 1, regularSteps: 1, rebalanceSteps: 1 },
    schema,
  },
  /**
   * @param {SandwichOptions} options
   * @param {{ numModalities: number }} ctx
   */
  create(options, ctx) {
    if (ctx.numModalities < 2) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `strategy "sandwich" needs a model with at least 2 modalities, but got ${ctx.numModalities}. Use "vanilla" for one.`,
        { strategy: 'sandwich', numModalities: ctx.numModalities },
      );
    }
    return {
      evaluationMode: 'regular',
      chooseForwardMode: (stepCtx) => sandwichMode(options, stepCtx),
    };
  },
};

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'sandwich', coreApi: '^2.0.0' },
  strategies: { sandwich },
});
