import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { ogmGe } from './ogm-ge.js';

export { OgmGeStrategy, defaultOgmGeOptions, ogmGe } from './ogm-ge.js';
export type { OgmGeOptions, OgmGeState } from './ogm-ge.js';
export { discrepancyRatios, modulation, modulationCoefficient, sampleStd, trueClassScore } from './ogm-ge-math.js';
export type { CoefficientRule, Modulation } from './ogm-ge-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'ogm-ge', coreApi: '^2.0.0' },
  strategies: { 'ogm-ge': ogmGe },
});
