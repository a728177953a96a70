import type { FusionContribution } from '../../plugin/manifest.js';

/** Core's built-in fusion blocks by id (sorted). */
export const fusions: Record<string, FusionContribution> = {};
