import type { EncoderContribution } from '../../plugin/manifest.js';
import { cnn } from './cnn.js';
import { mlp } from './mlp.js';

/** Core's built-in encoders by id (sorted). */
export const encoders: Record<string, EncoderContribution> = { cnn, mlp };
