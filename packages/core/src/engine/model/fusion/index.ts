import type { FusionContribution } from '../../../contract/plugin/manifest.js';
import { late } from './late.js';
import { mmtm } from './mmtm.js';

/** Core's built-in fusion blocks by id (sorted). */
export const fusions: Record<string, FusionContribution> = { late, mmtm };
