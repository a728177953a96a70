import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { rubi } from './rubi.js';

export { RubiStrategy, crossEntropy, defaultRubiOptions, rubi } from './rubi.js';
export type { RubiOptions } from './rubi.js';
export { stopGradient } from './stop-gradient.js';

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'rubi', coreApi: '^2.0.0' },
  strategies: { rubi },
});
