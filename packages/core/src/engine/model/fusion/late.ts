import type { FusionContribution } from '../../../contract/plugin/manifest.js';
import type { FusionBlock } from '../../../contract/model/fusion-block.js';

/**
 * `late`: no intermediate fusion. The branches only meet in the fused prediction (mean of head logits),
 * so a model with `late` has 0 fusion points and `model.fusion.after` must be `[]`.
 */
export const late: FusionContribution<Record<string, never>> = {
  meta: {
    docs: { description: 'Late fusion: no block between stages; the model averages the head logits. Requires `after: []`.' },
    defaultOptions: {},
    schema: { type: 'object', additionalProperties: false },
  },
  create(): FusionBlock {
    return { apply: (features) => [...features], variables: () => [], dispose: () => undefined };
  },
};
