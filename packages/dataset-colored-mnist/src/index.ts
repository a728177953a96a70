import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { coloredMnist } from './colored-mnist.js';

export { coloredMnist, createColoredMnist, ColoredMnistDataset, DEFAULT_OPTIONS, type ColoredMnistOptions } from './colored-mnist.js';
export { DEFAULT_PALETTE, nearestPaletteIndex } from './palette.js';
export { encodeIdx, parseIdx, readIdxFile, type IdxArray } from './idx-file.js';
export { loadDigits, clearDigitCache, type DigitSource } from './digit-source.js';

/** The `@ungreedy/dataset-colored-mnist` plugin: the `colored-mnist` dataset. */
export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'colored-mnist', coreApi: '^2.0.0' },
  datasets: { 'colored-mnist': coloredMnist },
});
