import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UngreedyError, type CommandContribution } from '@ungreedy/core';
import { prepareCache } from './clip-cache.js';
import { findFfmpeg } from './ffmpeg.js';
import { SENSORS } from './list-file.js';
import type { Sensor } from './list-file.js';
import { makeNvGestureMini, MINI_DEFAULTS } from './make-mini.js';
import { NVGESTURE_DEFAULTS } from './nvgesture.js';

function usage(command: string, argument: string, problem: string, value: string): UngreedyError {
  return new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --${argument} ${problem}, but got "${value}".`, { command, argument, value });
}

function parseSize(command: string, text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw usage(command, 'size', 'must be WxH (e.g. 160x120)', text);
  return { width: Number(m[1]), height: Number(m[2]) };
}

const PREPARE_USAGE =
  'ungreedy prepare nvgesture <root> --out <cache> [--size WxH] [--frames F] [--sensors sk_color,sk_depth] ' +
  '[--lists auto|v2|v1] [--classes 25] [--concurrency N (default: cores, at most 4)]';

const SIZE = { type: 'string', placeholder: 'WxH', description: 'frame width x height in pixels' } as const;

const PREPARE_OPTIONS = {
  out: { type: 'string', required: true, placeholder: 'cache', description: 'the folder the clip cache is written under' },
  size: SIZE,
  frames: { type: 'integer', min: 1, default: NVGESTURE_DEFAULTS.cacheFrames, description: 'frames kept per clip' },
  sensors: { type: 'string', placeholder: 'a,b', description: `the sensors to decode, of ${SENSORS.join(', ')} (default ${NVGESTURE_DEFAULTS.sensors.join(',')})` },
  lists: { type: 'string', choices: ['auto', 'v2', 'v1'], default: 'auto', description: 'which list files name the clips' },
  classes: { type: 'integer', min: 1, default: NVGESTURE_DEFAULTS.numClasses, description: 'the number of gesture classes' },
  concurrency: { type: 'integer', min: 1, description: 'clips decoded at once (default: cores, at most 4)' },
} as const;

/**
 * `ungreedy prepare nvgesture`: decodes every clip's frame range once into the clip cache. Resumable: run it
 * again after a kill or Ctrl-C and it decodes only the clips not yet cached.
 */
export const prepareCommand: CommandContribution<typeof PREPARE_OPTIONS> = {
  meta: {
    docs: {
      description: 'Decode the NVGesture lists\' frame ranges once into a compact uint8 clip cache (resumable).',
      usage: PREPARE_USAGE,
    },
    options: PREPARE_OPTIONS,
    positionals: [{ name: 'root', description: 'the NVGesture release folder (videos and list files)', required: true }],
  },
  async run(ctx): Promise<number> {
    const cmd = 'prepare nvgesture';
    const o = ctx.args.options;
    const root = ctx.args.positionals[0]!;
    const size = o.size === undefined ? NVGESTURE_DEFAULTS.size : parseSize(cmd, o.size);
    const sensors = (o.sensors?.split(',') ?? NVGESTURE_DEFAULTS.sensors) as Sensor[];
    const unknown = sensors.filter((s) => !(SENSORS as readonly string[]).includes(s));
    if (unknown.length > 0) throw usage(cmd, 'sensors', `must name ${SENSORS.join(', ')}`, unknown.join(','));
    const controller = new AbortController();
    // First Ctrl-C: finish the clips in flight and stop (the cache stays resumable); a second one kills.
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const res = await prepareCache({
        root: resolve(ctx.cwd, root),
        out: resolve(ctx.cwd, o.out),
        geometry: { ...size, frames: o.frames },
        sensors,
        lists: o.lists,
        numClasses: o.classes,
        concurrency: o.concurrency ?? Math.min(4, availableParallelism()),
        log: ctx.log,
        progress: process.stderr.isTTY ? 'bar' : 'lines',
        signal: controller.signal,
      });
      ctx.print(`ffmpeg: ${res.ffmpeg.path} (${res.ffmpeg.source})`);
      ctx.print(`cache: ${res.folder}`);
      ctx.print(`clips: ${res.decoded} decoded, ${res.skipped} already cached, ${res.total} in all`);
      if (res.aborted) {
        ctx.print('interrupted: run the same command again to resume');
        return 130;
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

const MAKE_USAGE =
  'ungreedy datasets make nvgesture-mini --out <dir> [--classes 25] [--per-class-train N] [--per-class-test N] ' +
  '[--size 64x48] [--frames 24] [--noisy rgb|depth --noise σ] [--duo] [--codec mjpeg|ffv1] [--lists v2|v1] [--seed N]';

const MAKE_OPTIONS = {
  out: { type: 'string', required: true, placeholder: 'dir', description: 'where the videos and list files go' },
  classes: { type: 'integer', min: 1, default: MINI_DEFAULTS.classes, description: 'how many gesture classes (at most 25)' },
  'per-class-train': { type: 'integer', min: 1, default: MINI_DEFAULTS.perClassTrain, description: 'training clips per class' },
  'per-class-test': { type: 'integer', min: 1, default: MINI_DEFAULTS.perClassTest, description: 'test clips per class' },
  size: SIZE,
  frames: { type: 'integer', min: 1, default: MINI_DEFAULTS.frames, description: 'frames per video' },
  noisy: { type: 'string', choices: ['rgb', 'depth'], description: 'the sensor whose videos get pixel noise' },
  noise: { type: 'number', min: 0, default: MINI_DEFAULTS.noise, description: "the noisy sensor's noise std" },
  duo: { type: 'boolean', description: 'write a second colour sensor (sk_duo)' },
  codec: { type: 'string', choices: ['mjpeg', 'ffv1'], default: MINI_DEFAULTS.codec, description: 'the video codec' },
  lists: { type: 'string', choices: ['v2', 'v1'], default: MINI_DEFAULTS.listVariant, description: 'which list file format to write' },
  seed: { type: 'integer', min: 0, default: MINI_DEFAULTS.seed, description: 'the generator seed' },
} as const;

/** `ungreedy datasets make nvgesture-mini`: writes a synthetic NVGesture-like set in the official layout. */
export const makeMiniCommand: CommandContribution<typeof MAKE_OPTIONS> = {
  meta: {
    docs: {
      description: 'Generate synthetic gesture videos (a blob moving along 25 trajectories) in the NVGesture layout.',
      usage: MAKE_USAGE,
    },
    options: MAKE_OPTIONS,
  },
  async run(ctx): Promise<number> {
    const o = ctx.args.options;
    const size = o.size === undefined ? MINI_DEFAULTS : parseSize('datasets make nvgesture-mini', o.size);
    const ffmpeg = findFfmpeg();
    ctx.log.info({ ffmpeg: ffmpeg.path, ffmpegSource: ffmpeg.source }, 'nvgesture-mini start');
    const res = await makeNvGestureMini({
      ...MINI_DEFAULTS,
      out: resolve(ctx.cwd, o.out),
      classes: o.classes,
      perClassTrain: o['per-class-train'],
      perClassTest: o['per-class-test'],
      width: size.width,
      height: size.height,
      frames: o.frames,
      noisy: o.noisy ?? null,
      noise: o.noise,
      duo: o.duo,
      codec: o.codec,
      listVariant: o.lists,
      seed: o.seed,
    });
    ctx.print(`wrote ${res.train} train and ${res.test} test clips to ${res.out} (ffmpeg: ${ffmpeg.source})`);
    ctx.print(`lists: ${res.lists.train}, ${res.lists.test}`);
    return 0;
  },
};
