import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { pmr } from './pmr.js';

export { PmrStrategy, defaultPmrOptions, pmr } from './pmr.js';
export type { PmrOptions, PmrState, SavedPrototypes } from './pmr.js';
export * from './pmr-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'pmr', coreApi: '^2.0.0' },
  strategies: { pmr },
});
