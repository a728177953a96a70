// The plugin of the compare tests, loaded by path from the configs they write: the `tiny` dataset of the
// conformance kit, and a strategy that fails its run on purpose (its first hook throws).
import { tinyDatasetContribution } from '@ungreedy/core/testing';

const none = { type: 'object', additionalProperties: false };

export default {
  meta: { name: 'compare-fixture', version: '1.0.0', coreApi: '^2.0.0' },
  datasets: { tiny: tinyDatasetContribution },
  strategies: {
    broken: {
      meta: { docs: { description: 'Throws in onEpochBegin, so its run fails.' }, defaultOptions: {}, schema: none },
      create() {
        return {
          evaluationMode: 'regular',
          onEpochBegin() {
            throw new Error('broken strategy, on purpose');
          },
        };
      },
    },
  },
};
