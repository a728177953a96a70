import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { modelnet40 } from './modelnet40.js';
import { makeMiniCommand, prepareCommand } from './commands.js';

export { modelnet40, createModelNet40, defaultModelNet40Options, ModelNet40Dataset, type ModelNet40Options } from './modelnet40.js';
export { makeModelNet40Mini, degradeImage, type MakeMiniOptions, type MakeMiniResult } from './make-modelnet40-mini.js';
export { prepareModelNet40FromOff, type PrepareOptions, type PrepareResult } from './prepare-modelnet40.js';
export { renderViews, type RenderOptions } from './render-mesh.js';
export { parseOff, formatOff, type TriMesh, type PolyMesh } from './off-mesh.js';
export { CPythonRandom, referenceSplit } from './cpython-random.js';
export { MODELNET40_CLASSES } from './class-names.js';
export { scanLayout, renderFile, meshFile, type SourceObject, type SourceListing, type ClassMode } from './layout.js';
export { decodePng, encodePng, resizeRgb, type RgbImage } from './image-io.js';

/** The `@ungreedy/dataset-modelnet40` plugin: the `modelnet40` dataset and its prepare / make commands. */
export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'modelnet40', coreApi: '^2.0.0' },
  datasets: { modelnet40 },
  commands: { 'make/modelnet40-mini': makeMiniCommand, 'prepare/modelnet40': prepareCommand },
});
