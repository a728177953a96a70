import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { mla } from './mla.js';

export { MlaStrategy, defaultMlaOptions, mla } from './mla.js';
export type { MlaOptions, MlaState } from './mla.js';
export * from './mla-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'mla', coreApi: '^2.0.0' },
  strategies: { mla },
});
