import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Rng } from '@ungreedy/core';
import type { DatasetContext } from '@ungreedy/core';
import { encodeVideo } from '../ffmpeg.js';
import { makeNvGestureMini, MINI_DEFAULTS } from '../make-mini.js';
import type { MiniOptions } from '../make-mini.js';

export const silentLog = pino({ level: 'silent' });

/** A fresh temporary folder; `after(cleanup)` removes it. */
export async function tempDir(prefix = 'nvg-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A tiny generated set: 3 classes, 2 train and 1 test clip each, 32×24, 10-frame gestures, lossless. */
export async function tinyMini(out: string, overrides: Partial<MiniOptions> = {}): Promise<void> {
  await makeNvGestureMini({
    ...MINI_DEFAULTS,
    out,
    classes: 3,
    perClassTrain: 2,
    perClassTest: 1,
    width: 32,
    height: 24,
    frames: 10,
    pad: 3,
    codec: 'ffv1',
    ...overrides,
  });
}

/** Brightness of frame i in {@link writeCountingVideo}. */
export const countingLevel = (i: number): number => 10 + 6 * i;

/** A gray video whose frame i has every pixel at `countingLevel(i)`: decoded frames say which frame they are. */
export async function writeCountingVideo(file: string, n: number, codec: 'ffv1' | 'mjpeg' = 'ffv1', width = 32, height = 24): Promise<void> {
  const plane = width * height * 3;
  const frames = new Uint8Array(n * plane);
  for (let i = 0; i < n; i++) frames.fill(countingLevel(i), i * plane, (i + 1) * plane);
  await encodeVideo(file, frames, { width, height, fps: 30, codec });
}

export function datasetContext(dir: string, seed = 1): DatasetContext {
  return { rng: Rng.fromSeed(seed, 'data'), log: silentLog, configDir: dir, cacheDir: join(dir, '.cache') };
}

/** One clip of {@link writeCountingRoot}: a counting video of `frames` frames and the list's range in it. */
export interface CountingClip {
  readonly label: number;
  readonly frames: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A dataset root in the official layout whose sk_color and sk_depth videos are counting videos, so every
 * decoded or cached frame tells which source frame it came from. Lists use the `_v2` names.
 */
export async function writeCountingRoot(root: string, train: readonly CountingClip[], test: readonly CountingClip[]): Promise<void> {
  const { mkdir, writeFile: write } = await import('node:fs/promises');
  for (const [split, clips] of [['train', train], ['test', test]] as const) {
    const lines: string[] = [];
    for (const [k, c] of clips.entries()) {
      const path = `Video_data/class_${String(c.label + 1).padStart(2, '0')}/subject${split === 'train' ? 1 : 2}_r${k}`;
      await mkdir(join(root, path), { recursive: true });
      await writeCountingVideo(join(root, path, 'sk_color.avi'), c.frames);
      await writeCountingVideo(join(root, path, 'sk_depth.avi'), c.frames);
      lines.push(`path:./${path} depth:sk_depth:${c.start}:${c.end} color:sk_color:${c.start}:${c.end} label:${c.label + 1}`);
    }
    await write(join(root, `nvgesture_${split}_correct_cvpr2016_v2.lst`), `${lines.join('\n')}\n`);
  }
}
