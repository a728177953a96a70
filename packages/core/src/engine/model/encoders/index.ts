import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import { cnn } from './cnn.js';
import { cnn3d } from './cnn3d.js';
import { i3d } from './i3d.js';
import { mlp } from './mlp.js';
import { resnet18 } from './resnet18.js';

/** Core's built-in encoders by id (sorted). */
export const encoders: Record<string, EncoderContribution> = { cnn, cnn3d, i3d, mlp, resnet18 };
