import { definePlugin } from '../../contract/plugin/define-plugin.js';
import { CORE_API_VERSION } from '../../contract/version/version.js';
import { encoders } from '../model/encoders/index.js';
import { fusions } from '../model/fusion/index.js';
import { strategies } from '../strategy/index.js';

/**
 * Core's own components (encoders, fusion blocks, the `vanilla` strategy), registered through the same
 * path as any third-party plugin.
 */
export const builtinPlugin = definePlugin({
  meta: { name: '@ungreedy/core', version: CORE_API_VERSION, namespace: 'core', coreApi: `^${CORE_API_VERSION}` },
  encoders,
  fusions,
  strategies,
});
