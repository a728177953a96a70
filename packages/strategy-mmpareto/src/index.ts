import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { mmpareto } from './mmpareto.js';

export { MULTIMODAL_TERM, MmParetoStrategy, defaultMmParetoOptions, mmpareto, unimodalTerm } from './mmpareto.js';
export type { MmParetoOptions, MmParetoState } from './mmpareto.js';
export { cosine, magnitudeFactor, minNormWeights, pairOf, paretoWeights } from './mmpareto-math.js';
export type { GradientPair } from './mmpareto-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'mmpareto', coreApi: '^2.0.0' },
  strategies: { mmpareto },
});
