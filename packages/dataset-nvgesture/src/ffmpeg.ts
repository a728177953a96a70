import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { UngreedyError } from '@ungreedy/core';

/** Which ffmpeg binary is used and why; goes into `describe()` and the log. */
export interface FfmpegInfo {
  readonly path: string;
  /** `env`: UNGREEDY_FFMPEG; `system`: found on PATH; `npm`: the static build from @ffmpeg-installer/ffmpeg. */
  readonly source: 'env' | 'system' | 'npm';
}

/**
 * Finds ffmpeg: `UNGREEDY_FFMPEG` if set, else an `ffmpeg` on PATH (usually newer, and what the user
 * installed on purpose), else the static binary that @ffmpeg-installer/ffmpeg ships in node_modules.
 * Looked up on every call (a few stat calls, nothing next to starting ffmpeg), so a changed PATH counts.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegInfo {
  const fromEnv = env['UNGREEDY_FFMPEG'];
  if (fromEnv) return { path: fromEnv, source: 'env' };
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return { path: candidate, source: 'system' };
    } catch {
      // not in this PATH entry
    }
  }
  return { path: ffmpegInstaller.path, source: 'npm' };
}

/**
 * Output timing that passes every selected frame through once (no duplicates to fill the gap before
 * `start`), per binary. `-vsync 0` is understood by old and current builds; a build that dropped it gets
 * `-fps_mode passthrough` (see the fallback in {@link decodeFrames}).
 */
const passthrough = new Map<string, readonly string[]>();

const versions = new Map<string, Promise<string>>();

/** The first line of `ffmpeg -version`, for the run manifest; cached per binary. */
export function ffmpegVersion(): Promise<string> {
  const { path } = findFfmpeg();
  let v = versions.get(path);
  if (!v) {
    v = runFfmpeg(['-hide_banner', '-version']).then(
      (r) => r.stdout.toString('utf8').split('\n')[0]?.trim() ?? 'unknown',
      () => 'unknown',
    );
    versions.set(path, v);
  }
  return v;
}

/** Frames of one decoded range: `count` frames of height × width × channels bytes, row-major, channels last. */
export interface DecodedFrames {
  readonly data: Uint8Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** The last lines of ffmpeg's stderr: what an error message shows of a failure. */
export function summariseStderr(stderr: string, lines = 6): string {
  return stderr.trim().split(/\r?\n/).slice(-lines).join('\n');
}

interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

function runFfmpeg(args: readonly string[], stdin?: Uint8Array): Promise<ProcessResult> {
  const { path } = findFfmpeg();
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    if (!child.stdout || !child.stderr) throw new Error('spawn gave no stdout/stderr pipes');
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8');
    // Keep only the tail: a long decode can print a lot, and the message shows the last lines.
    child.stderr.on('data', (chunk: string) => {
      err = (err + chunk).slice(-16384);
    });
    child.on('error', (e) =>
      reject(
        new UngreedyError(
          'UNG_ERR_DECODE_FAILED',
          `ffmpeg at "${path}" should start, but got ${e.message}. Fix: install ffmpeg or set UNGREEDY_FFMPEG.`,
          { ffmpeg: path },
          { cause: e },
        ),
      ),
    );
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
    if (stdin && child.stdin) {
      // EPIPE when ffmpeg exits early is reported through the exit code and stderr instead.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    }
  });
}

/**
 * Decodes frames [start, end) of a video, scaled to width × height, as rgb24 bytes.
 * Frames are selected by their decode index (`select=between(n,start,end-1)` with passthrough timing), so the
 * range is exact whatever the container's timestamps say; `-frames:v` stops ffmpeg at the range's end.
 * Throws UNG_ERR_DATASET_MISSING for a missing file, UNG_ERR_DATASET_CORRUPT when the video ends before
 * `end`, and UNG_ERR_DECODE_FAILED (with ffmpeg's stderr summarised) when ffmpeg fails.
 */
export async function decodeFrames(
  file: string,
  range: { start: number; end: number },
  size: { width: number; height: number },
): Promise<DecodedFrames> {
  const { start, end } = range;
  const { width, height } = size;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `frame range of "${file}" should be integers with 0 <= start < end, but got [${start}, ${end}).`,
      { file, start, end },
    );
  }
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      `video "${file}" should exist and be readable, but it does not. Fix: check the dataset root and the list file.`,
      { file },
      { cause: e },
    );
  }
  const want = end - start;
  const args = (timing: readonly string[]): string[] => [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-i', file,
    '-an', '-sn',
    '-vf', `select='between(n\\,${start}\\,${end - 1})',scale=${width}:${height}:flags=area`,
    ...timing,
    '-frames:v', String(want),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const binary = findFfmpeg().path;
  const timing = passthrough.get(binary) ?? ['-vsync', '0'];
  let res = await runFfmpeg(args(timing));
  // Builds newer than the one @ffmpeg-installer ships may have dropped `-vsync` for `-fps_mode`.
  if (res.code !== 0 && timing[0] === '-vsync' && /vsync/.test(res.stderr) && /option/i.test(res.stderr)) {
    const modern = ['-fps_mode', 'passthrough'];
    passthrough.set(binary, modern);
    res = await runFfmpeg(args(modern));
  }
  if (res.code !== 0) {
    const stderr = summariseStderr(res.stderr);
    // A damaged or truncated file (a 1 KB AVI) is bad input, not a decoder failure: say so in plain words.
    if (res.signal === null && UNREADABLE_VIDEO.test(res.stderr)) {
      const size = await stat(file).then((s) => `${s.size} bytes`, () => 'unreadable');
      throw new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `video "${file}" should be a whole video file, but ffmpeg cannot read it (${size}; it is truncated, damaged or not a video). ` +
          'Fix: copy or extract the file again.',
        { file, reason: 'video-unreadable', exitCode: res.code, stderr },
      );
    }
    throw new UngreedyError(
      'UNG_ERR_DECODE_FAILED',
      `ffmpeg should decode "${file}" frames [${start}, ${end}), but it exited with ${res.code ?? res.signal}:\n${stderr}`,
      { file, start, end, exitCode: res.code, signal: res.signal, stderr },
    );
  }
  const frameBytes = width * height * 3;
  const count = Math.floor(res.stdout.length / frameBytes);
  if (count !== want || res.stdout.length % frameBytes !== 0) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `video "${file}" should have frames [${start}, ${end}), but decoding gave ${count} of the ${want} frames ` +
        `(the video ends at frame ${start + count}). Fix: check the frame range in the list file.`,
      { file, start, end, decodedFrames: count, videoFrames: count > 0 ? start + count : null },
    );
  }
  return { data: new Uint8Array(res.stdout.buffer, res.stdout.byteOffset, res.stdout.length), count, width, height, channels: 3 };
}

/** What ffmpeg prints for a file it cannot parse at all (truncated container, wrong format, no streams). */
const UNREADABLE_VIDEO = /Invalid data found when processing input|moov atom not found|could not find codec parameters|Output file #0 does not contain any stream|does not contain any stream/i;

/** Options of {@link encodeVideo}. */
export interface EncodeOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** `mjpeg` (lossy, the default, like camera AVIs) or `ffv1` (lossless). */
  readonly codec: 'mjpeg' | 'ffv1';
}

/** Writes rgb24 frames (count × height × width × 3 bytes) as a video file through ffmpeg's stdin. */
export async function encodeVideo(file: string, frames: Uint8Array, opts: EncodeOptions): Promise<void> {
  const codecArgs =
    opts.codec === 'mjpeg' ? ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj444p'] : ['-c:v', 'ffv1', '-pix_fmt', 'rgb24'];
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${opts.width}x${opts.height}`, '-r', String(opts.fps),
    '-i', 'pipe:0',
    ...codecArgs,
    file,
  ];
  const res = await runFfmpeg(args, frames);
  if (res.code !== 0) {
    const stderr = summariseStderr(res.stderr);
    throw new UngreedyError(
      'UNG_ERR_DECODE_FAILED',
      `ffmpeg should encode "${file}", but it exited with ${res.code ?? res.signal}:\n${stderr}`,
      { file, exitCode: res.code, signal: res.signal, stderr },
    );
  }
}
