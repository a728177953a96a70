import type { StrategyContribution } from '../../contract/plugin/manifest.js';
import { vanilla } from './vanilla.js';

/** Core's built-in strategies by id (sorted). */
export const strategies: Record<string, StrategyContribution> = {
  vanilla,
};
