import type { EncoderContribution } from '../../plugin/manifest.js';

/** Core's built-in encoders by id (sorted). */
export const encoders: Record<string, EncoderContribution> = {};
