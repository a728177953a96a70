import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { random } from './random.js';

export { RandomStrategy, defaultRandomOptions, modeForDraw, random } from './random.js';
export type { RandomOptions, RandomState } from './random.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'random', coreApi: '^2.0.0' },
  strategies: { random },
});
