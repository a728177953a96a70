import { definePlugin } from '@ungreedy/core';
import pkg from '../package.json' with { type: 'json' };
import { makeMiniCommand, prepareCommand } from './commands.js';
import { nvgesture } from './nvgesture.js';

/**
 * The NVGesture dataset plugin: the `nvgesture` dataset, `ungreedy prepare nvgesture` and
 * `ungreedy datasets make nvgesture-mini`.
 */
export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'nvgesture', coreApi: '^2.0.0' },
  datasets: { nvgesture },
  commands: { 'make/nvgesture-mini': makeMiniCommand, 'prepare/nvgesture': prepareCommand },
});

export { createNvGesture, NvGestureDataset, NVGESTURE_DEFAULTS, MODALITY_OF } from './nvgesture.js';
export type { NvGestureOptions, Normalisation } from './nvgesture.js';
export { makeNvGestureMini, MINI_DEFAULTS, TRAJECTORIES } from './make-mini.js';
export type { MiniOptions, MiniResult } from './make-mini.js';
export { prepareCache, readClip, cacheFolder, SENSOR_CHANNELS } from './clip-cache.js';
export type { CacheGeometry, CacheManifest, CachedClip, PrepareOptions, PrepareResult } from './clip-cache.js';
export { parseList, readList, findListFiles, LIST_NAMES, SENSORS } from './list-file.js';
export type { ListEntry, ListFiles, Sensor, SensorRange } from './list-file.js';
export { decodeFrames, encodeVideo, findFfmpeg } from './ffmpeg.js';
export type { FfmpegInfo } from './ffmpeg.js';
