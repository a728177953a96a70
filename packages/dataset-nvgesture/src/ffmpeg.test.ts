import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { decodeFrames, ffmpegVersion, findFfmpeg } from './ffmpeg.js';
import { countingLevel, tempDir, writeCountingVideo } from './test-fixtures/fixtures.js';

describe('ffmpeg decoding', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeCountingVideo(join(dir, 'count.avi'), 30, 'ffv1');
    await writeCountingVideo(join(dir, 'count-mjpeg.avi'), 30, 'mjpeg');
  });
  after(() => cleanup());

  it('finds a runnable ffmpeg and says where it came from', () => {
    const info = findFfmpeg();
    assert.ok(existsSync(info.path));
    assert.ok(['env', 'system', 'npm'].includes(info.source));
  });

  it('prefers UNGREEDY_FFMPEG, then an ffmpeg on PATH, then the npm build', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'ffmpeg'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    assert.deepEqual(findFfmpeg({ UNGREEDY_FFMPEG: '/opt/ff', PATH: bin }), { path: '/opt/ff', source: 'env' });
    assert.deepEqual(findFfmpeg({ PATH: `/nonexistent${delimiter}${bin}` }), { path: join(bin, 'ffmpeg'), source: 'system' });
    const npm = findFfmpeg({ PATH: '/nonexistent' });
    assert.equal(npm.source, 'npm');
    assert.ok(existsSync(npm.path));
  });

  it('falls back to -fps_mode on an ffmpeg without -vsync, and still decodes the exact range', async () => {
    // A stand-in for a newer ffmpeg: refuses -vsync as recent builds do, and maps -fps_mode onto the real one.
    const real = findFfmpeg().path;
    const modern = join(dir, 'modern-ffmpeg');
    const script = [
      '#!/bin/sh',
      'for a in "$@"; do [ "$a" = "-vsync" ] && { echo "Unrecognized option \'vsync\'." >&2; echo "Error splitting the argument list: Option not found" >&2; exit 8; }; done',
      'for a in "$@"; do case "$a" in -fps_mode) a=-vsync;; passthrough) a=0;; esac; set -- "$@" "$a"; shift; done',
      `exec "${real}" "$@"`,
      '',
    ].join('\n');
    await writeFile(modern, script, { mode: 0o755 });
    const saved = process.env.UNGREEDY_FFMPEG;
    process.env.UNGREEDY_FFMPEG = modern;
    try {
      const d = await decodeFrames(join(dir, 'count.avi'), { start: 3, end: 6 }, { width: 8, height: 6 });
      assert.deepEqual([0, 1, 2].map((t) => d.data[t * 8 * 6 * 3]), [3, 4, 5].map(countingLevel));
    } finally {
      if (saved === undefined) delete process.env.UNGREEDY_FFMPEG;
      else process.env.UNGREEDY_FFMPEG = saved;
    }
  });

  it('decodes exactly frames [start, end), scaled', async () => {
    const d = await decodeFrames(join(dir, 'count.avi'), { start: 7, end: 19 }, { width: 16, height: 12 });
    assert.equal(d.count, 12);
    assert.equal(d.data.length, 12 * 16 * 12 * 3);
    const plane = 16 * 12 * 3;
    for (let t = 0; t < d.count; t++) {
      const frame = d.data.subarray(t * plane, (t + 1) * plane);
      assert.ok(frame.every((v) => v === countingLevel(7 + t)), `frame ${t} should be source frame ${7 + t}`);
    }
  });

  it('decodes the same range from a lossy mjpeg video within a few levels', async () => {
    const d = await decodeFrames(join(dir, 'count-mjpeg.avi'), { start: 0, end: 30 }, { width: 32, height: 24 });
    const plane = 32 * 24 * 3;
    for (let t = 0; t < 30; t++) {
      const v = d.data[t * plane + 100]!;
      assert.ok(Math.abs(v - countingLevel(t)) <= 2, `frame ${t}: ${v} vs ${countingLevel(t)}`);
    }
  });

  it('decodes a range ending on the last frame', async () => {
    const d = await decodeFrames(join(dir, 'count.avi'), { start: 29, end: 30 }, { width: 8, height: 6 });
    assert.equal(d.count, 1);
    assert.equal(d.data[0], countingLevel(29));
  });

  it('rejects a range past the end of the video, saying how long the video is', async () => {
    await assert.rejects(decodeFrames(join(dir, 'count.avi'), { start: 25, end: 35 }, { width: 8, height: 6 }), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
      assert.equal(e.data.decodedFrames, 5);
      assert.equal(e.data.videoFrames, 30);
      return true;
    });
  });

  it('rejects a range that starts past the end', async () => {
    await assert.rejects(decodeFrames(join(dir, 'count.avi'), { start: 40, end: 45 }, { width: 8, height: 6 }), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
      assert.deepEqual([e.data.decodedFrames, e.data.videoFrames], [0, null]);
      return true;
    });
  });

  it('reports its version', async () => {
    assert.match(await ffmpegVersion(), /^ffmpeg version /);
  });

  it('rejects a missing video', async () => {
    const file = join(dir, 'nope.avi');
    await assert.rejects(decodeFrames(file, { start: 0, end: 3 }, { width: 8, height: 6 }), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'));
      assert.equal(e.data.file, file);
      return true;
    });
  });

  it('a file ffmpeg cannot parse is bad input (UNG_ERR_DATASET_CORRUPT) with its stderr summarised', async () => {
    const file = join(dir, 'garbage.avi');
    await writeFile(file, Buffer.from('this is not a video at all, just text pretending to be one'));
    await assert.rejects(decodeFrames(file, { start: 0, end: 3 }, { width: 8, height: 6 }), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
      assert.equal(e.data.reason, 'video-unreadable');
      assert.equal(e.data.file, file);
      assert.notEqual(e.data.exitCode, 0);
      assert.ok(typeof e.data.stderr === 'string' && e.data.stderr.length > 0);
      assert.ok(e.data.stderr.split('\n').length <= 6);
      return true;
    });
  });
});
