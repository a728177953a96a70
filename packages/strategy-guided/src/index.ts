import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { guided } from './guided.js';

export { GuidedStrategy, defaultGuidedOptions, guided } from './guided.js';
export type { GuidedOptions, GuidedState } from './guided.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'guided', coreApi: '^2.0.0' },
  strategies: { guided },
});
