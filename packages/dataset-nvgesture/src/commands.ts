import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UngreedyError } from '@ungreedy/core';
import type { CommandContext, CommandContribution } from '@ungreedy/core';
import { prepareCache } from './clip-cache.js';
import { findFfmpeg } from './ffmpeg.js';
import { SENSORS } from './list-file.js';
import type { Sensor } from './list-file.js';
import { makeNvGestureMini, MINI_DEFAULTS } from './make-mini.js';
import { NVGESTURE_DEFAULTS } from './nvgesture.js';

function usage(command: string, problem: string, data: Record<string, unknown> = {}): UngreedyError {
  return new UngreedyError('UNG_ERR_CLI_USAGE', `${command}: ${problem}`, { command, ...data });
}

function parseSize(command: string, text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw usage(command, `--size should be WxH (e.g. 160x120), but got "${text}".`, { flag: '--size', value: text });
  return { width: Number(m[1]), height: Number(m[2]) };
}

function parseInt(command: string, flag: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw usage(command, `${flag} should be an integer >= ${min}, but got "${text}".`, { flag, value: text });
  }
  return Number(text);
}

function parse(command: string, args: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `${command}: ${(e as Error).message}`, { command }, { cause: e });
  }
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
    if (args.includes('--help') || args.includes('-h')) {
      ctx.print(`Usage: ${PREPARE_USAGE}`);
      return 0;
    }
    const { values, positionals } = parse(cmd, args, {
      out: { type: 'string' },
      size: { type: 'string' },
      frames: { type: 'string' },
      sensors: { type: 'string' },
      lists: { type: 'string' },
      classes: { type: 'string' },
      concurrency: { type: 'string' },
    });
    if (positionals.length !== 1 || typeof values.out !== 'string') {
      throw usage(cmd, `expected one <root> and --out <cache>, but got ${JSON.stringify(args)}. Usage: ${PREPARE_USAGE}`);
    }
    const size = values.size === undefined ? NVGESTURE_DEFAULTS.size : parseSize(cmd, values.size as string);
    const sensors = ((values.sensors as string | undefined)?.split(',') ?? NVGESTURE_DEFAULTS.sensors) as Sensor[];
    const unknown = sensors.filter((s) => !(SENSORS as readonly string[]).includes(s));
    if (unknown.length > 0) throw usage(cmd, `--sensors should name ${SENSORS.join(', ')}, but got ${unknown.join(', ')}.`, { flag: '--sensors' });
    const lists = (values.lists as string | undefined) ?? 'auto';
    if (lists !== 'auto' && lists !== 'v2' && lists !== 'v1') throw usage(cmd, `--lists should be auto, v2 or v1, but got "${lists}".`, { flag: '--lists' });
    const controller = new AbortController();
    // First Ctrl-C: finish the clips in flight and stop (the cache stays resumable); a second one kills.
    const onSigint = (): void => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const res = await prepareCache({
        root: resolve(ctx.cwd, positionals[0]!),
        out: resolve(ctx.cwd, values.out),
        geometry: { ...size, frames: parseInt(cmd, '--frames', values.frames as string | undefined, NVGESTURE_DEFAULTS.cacheFrames) },
        sensors,
        lists,
        numClasses: parseInt(cmd, '--classes', values.classes as string | undefined, NVGESTURE_DEFAULTS.numClasses),
        concurrency: parseInt(cmd, '--concurrency', values.concurrency as string | undefined, Math.min(4, availableParallelism())),
        log: ctx.log,
        progress: process.stderr.isTTY ? 'bar' : 'lines',
        signal: controller.signal,
      });
      ctx.print(`ffmpeg: ${res.ffmpeg.path} (${res.ffmpeg.source})`);
      ctx.print(`cache: ${res.folder}`);
      ctx.print(`clips: ${res.decoded} decoded, ${res.skipped} already cached, ${res.total} in all`);
      if (res.aborted) {
        ctx.print('interrupted: run the same command again to resume');
        return 1;
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
    if (args.includes('--help') || args.includes('-h')) {
      ctx.print(`Usage: ${MAKE_USAGE}`);
      return 0;
    }
    const { values, positionals } = parse(cmd, args, {
      out: { type: 'string' },
      classes: { type: 'string' },
      'per-class-train': { type: 'string' },
      'per-class-test': { type: 'string' },
      size: { type: 'string' },
      frames: { type: 'string' },
      noisy: { type: 'string' },
      noise: { type: 'string' },
      duo: { type: 'boolean' },
      codec: { type: 'string' },
      lists: { type: 'string' },
      seed: { type: 'string' },
    });
    if (positionals.length > 0 || typeof values.out !== 'string') {
      throw usage(cmd, `expected --out <dir> and no positional arguments, but got ${JSON.stringify(args)}. Usage: ${MAKE_USAGE}`);
    }
    const noisy = (values.noisy as string | undefined) ?? null;
    if (noisy !== null && noisy !== 'rgb' && noisy !== 'depth') throw usage(cmd, `--noisy should be rgb or depth, but got "${noisy}".`, { flag: '--noisy' });
    const noiseText = values.noise as string | undefined;
    const noise = noiseText === undefined ? MINI_DEFAULTS.noise : Number(noiseText);
    if (!(noise >= 0)) throw usage(cmd, `--noise should be a number >= 0, but got "${noiseText}".`, { flag: '--noise' });
    const codec = (values.codec as string | undefined) ?? MINI_DEFAULTS.codec;
    if (codec !== 'mjpeg' && codec !== 'ffv1') throw usage(cmd, `--codec should be mjpeg or ffv1, but got "${codec}".`, { flag: '--codec' });
    const lists = (values.lists as string | undefined) ?? MINI_DEFAULTS.listVariant;
    if (lists !== 'v2' && lists !== 'v1') throw usage(cmd, `--lists should be v2 or v1, but got "${lists}".`, { flag: '--lists' });
    const size = values.size === undefined ? MINI_DEFAULTS : parseSize(cmd, values.size as string);
    const ffmpeg = findFfmpeg();
    ctx.log.info({ ffmpeg: ffmpeg.path, ffmpegSource: ffmpeg.source }, 'nvgesture-mini start');
    const res = await makeNvGestureMini({
      ...MINI_DEFAULTS,
      out: resolve(ctx.cwd, values.out),
      classes: parseInt(cmd, '--classes', values.classes as string | undefined, MINI_DEFAULTS.classes),
      perClassTrain: parseInt(cmd, '--per-class-train', values['per-class-train'] as string | undefined, MINI_DEFAULTS.perClassTrain),
      perClassTest: parseInt(cmd, '--per-class-test', values['per-class-test'] as string | undefined, MINI_DEFAULTS.perClassTest),
      width: size.width,
      height: size.height,
      frames: parseInt(cmd, '--frames', values.frames as string | undefined, MINI_DEFAULTS.frames),
      noisy,
      noise,
      duo: values.duo === true,
      codec,
      listVariant: lists,
      seed: parseInt(cmd, '--seed', values.seed as string | undefined, MINI_DEFAULTS.seed, 0),
    });
    ctx.print(`wrote ${res.train} train and ${res.test} test clips to ${res.out} (ffmpeg: ${ffmpeg.source})`);
    ctx.print(`lists: ${res.lists.train}, ${res.lists.test}`);
    return 0;
  },
};
