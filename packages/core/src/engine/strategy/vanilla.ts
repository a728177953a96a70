import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import type { BalancingStrategy } from '../../contract/strategy/balancing-strategy.js';

/** Options of `vanilla`: none. */
export type VanillaOptions = Record<string, never>;

/**
 * `vanilla` (docs/method.md#vanilla): plain joint training on Σ_k CE(head_k), every step regular, every parameter updated,
 * evaluation in regular mode. It implements no hook: the trainer's defaults are the baseline.
 */
export const vanilla: StrategyContribution<VanillaOptions> = {
  meta: {
    docs: { description: 'Plain joint training on the sum of per-head cross-entropies (no balancing).' },
    defaultOptions: {},
    schema: { type: 'object', additionalProperties: false },
  },
  create(): BalancingStrategy {
    return { evaluationMode: 'regular' };
  },
};
