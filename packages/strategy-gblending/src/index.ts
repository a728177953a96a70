import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { gblending } from './gblending.js';

export { GBlendingStrategy, defaultGBlendingOptions, gblending } from './gblending.js';
export type { GBlendingOptions, GBlendingState } from './gblending.js';
export { MIN_DELTA_O_SQUARED, blendWeights, ogr, uniformWeights } from './gblending-math.js';
export type { LossPoint, Ogr } from './gblending-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'gblending', coreApi: '^2.0.0' },
  strategies: { gblending },
});
