import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { choiceOption, numberOption, parseCliArgs, requireOption, requirePositional, stringOptions, UngreedyError, wantsHelp } from '@ungreedy/core';
import type { CommandContext, CommandContribution } from '@ungreedy/core';
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

/** A count option: an integer >= `min` (1 unless said), `fallback` when not given. */
function count(command: string, name: string, text: string | undefined, fallback: number, min = 1): number {
  return numberOption(command, name, text, { integer: true, min }) ?? fallback;
}

const PREPARE_USAGE =
  'ungreedy prepare nvgesture <root> --out <cache> [--size WxH] [--frames F] [--sensors sk_color,sk_depth] ' +
  '[--lists auto|v2|v1] [--classes 25] [--concurrency N (default: cores, at most 4)]';

/**
 * `ungreedy prepare nvgesture`: decodes every clip's frame range once into the clip cache. Resumable: run it
 * again after a kill or Ctrl-C and it decodes only the clips not yet cached.
 */
export const prepareCommand: CommandContribution = {
  meta: {
    docs: {
      description: 'Decode the NVGesture lists\' frame ranges once into a compact uint8 clip cache (resumable).',
      usage: PREPARE_USAGE,
    },
  },
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const cmd = 'prepare nvgesture';
    if (wantsHelp(args)) {
      ctx.print(`Usage: ${PREPARE_USAGE}`);
      return 0;
    }
    const options = stringOptions('out', 'size', 'frames', 'sensors', 'lists', 'classes', 'concurrency');
    const { values, positionals } = parseCliArgs(cmd, args, options, 1);
    const root = requirePositional(cmd, positionals, '<root>');
    const out = requireOption(cmd, 'out', values.out);
    const size = values.size === undefined ? NVGESTURE_DEFAULTS.size : parseSize(cmd, values.size);
    const sensors = (values.sensors?.split(',') ?? NVGESTURE_DEFAULTS.sensors) as Sensor[];
    const unknown = sensors.filter((s) => !(SENSORS as readonly string[]).includes(s));
    if (unknown.length > 0) throw usage(cmd, 'sensors', `must name ${SENSORS.join(', ')}`, unknown.join(','));
    const lists = choiceOption(cmd, 'lists', values.lists, ['auto', 'v2', 'v1'] as const) ?? 'auto';
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
        out: resolve(ctx.cwd, out),
        geometry: { ...size, frames: count(cmd, 'frames', values.frames, NVGESTURE_DEFAULTS.cacheFrames) },
        sensors,
        lists,
        numClasses: count(cmd, 'classes', values.classes, NVGESTURE_DEFAULTS.numClasses),
        concurrency: count(cmd, 'concurrency', values.concurrency, Math.min(4, availableParallelism())),
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

/** `ungreedy datasets make nvgesture-mini`: writes a synthetic NVGesture-like set in the official layout. */
export const makeMiniCommand: CommandContribution = {
  meta: {
    docs: {
      description: 'Generate synthetic gesture videos (a blob moving along 25 trajectories) in the NVGesture layout.',
      usage: MAKE_USAGE,
    },
  },
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const cmd = 'datasets make nvgesture-mini';
    if (wantsHelp(args)) {
      ctx.print(`Usage: ${MAKE_USAGE}`);
      return 0;
    }
    const options = {
      ...stringOptions('out', 'classes', 'per-class-train', 'per-class-test', 'size', 'frames', 'noisy', 'noise', 'codec', 'lists', 'seed'),
      duo: { type: 'boolean' },
    } as const;
    const { values } = parseCliArgs(cmd, args, options, 0);
    const out = requireOption(cmd, 'out', values.out);
    const noisy = choiceOption(cmd, 'noisy', values.noisy, ['rgb', 'depth'] as const) ?? null;
    const noise = numberOption(cmd, 'noise', values.noise, { min: 0 }) ?? MINI_DEFAULTS.noise;
    const codec = choiceOption(cmd, 'codec', values.codec, ['mjpeg', 'ffv1'] as const) ?? MINI_DEFAULTS.codec;
    const lists = choiceOption(cmd, 'lists', values.lists, ['v2', 'v1'] as const) ?? MINI_DEFAULTS.listVariant;
    const size = values.size === undefined ? MINI_DEFAULTS : parseSize(cmd, values.size);
    const ffmpeg = findFfmpeg();
    ctx.log.info({ ffmpeg: ffmpeg.path, ffmpegSource: ffmpeg.source }, 'nvgesture-mini start');
    const res = await makeNvGestureMini({
      ...MINI_DEFAULTS,
      out: resolve(ctx.cwd, out),
      classes: count(cmd, 'classes', values.classes, MINI_DEFAULTS.classes),
      perClassTrain: count(cmd, 'per-class-train', values['per-class-train'], MINI_DEFAULTS.perClassTrain),
      perClassTest: count(cmd, 'per-class-test', values['per-class-test'], MINI_DEFAULTS.perClassTest),
      width: size.width,
      height: size.height,
      frames: count(cmd, 'frames', values.frames, MINI_DEFAULTS.frames),
      noisy,
      noise,
      duo: values.duo === true,
      codec,
      listVariant: lists,
      seed: count(cmd, 'seed', values.seed, MINI_DEFAULTS.seed, 0),
    });
    ctx.print(`wrote ${res.train} train and ${res.test} test clips to ${res.out} (ffmpeg: ${ffmpeg.source})`);
    ctx.print(`lists: ${res.lists.train}, ${res.lists.test}`);
    return 0;
  },
};
