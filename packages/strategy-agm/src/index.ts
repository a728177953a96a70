import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { agm } from './agm.js';

export { AgmStrategy, agm, defaultAgmOptions } from './agm.js';
export type { AgmOptions, AgmState } from './agm.js';
export * from './agm-math.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'agm', coreApi: '^2.0.0' },
  strategies: { agm },
});
