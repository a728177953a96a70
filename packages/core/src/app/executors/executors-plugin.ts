import { definePlugin } from '../../contract/plugin/define-plugin.js';
import { CORE_API_VERSION } from '../../contract/version/version.js';
import { localExecutor } from './local-executor.js';
import { slurmExecutor } from './slurm-executor.js';

/**
 * Core's executors (`local`, the default, and `slurm`), registered through the same manifest path as a plugin's.
 * They are app code (they start processes and schedulers), so they are a plugin of their own beside the engine's
 * built-ins (engine/builtins.ts), added wherever compare, status or `ungreedy plugins` load plugins.
 */
export const executorsPlugin = definePlugin({
  meta: { name: '@ungreedy/core/executors', version: CORE_API_VERSION, namespace: 'core', coreApi: `^${CORE_API_VERSION}` },
  executors: { local: localExecutor, slurm: slurmExecutor },
});
