import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import { cacheFolder, clipFile, prepareCache, readClip, readManifest, resampleIndices } from './clip-cache.js';
import type { CachedClip, PrepareOptions } from './clip-cache.js';
import type { Sensor } from './list-file.js';
import { countingLevel, silentLog, tempDir, writeCountingRoot } from './test-fixtures/fixtures.js';

const TRAIN = [
  { label: 0, frames: 20, start: 4, end: 14 },
  { label: 1, frames: 16, start: 0, end: 10 },
  { label: 2, frames: 30, start: 15, end: 25 },
];
const TEST = [{ label: 1, frames: 12, start: 2, end: 12 }];
const TOTAL = (TRAIN.length + TEST.length) * 2;

function options(root: string, out: string, extra: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    root,
    out,
    geometry: { width: 32, height: 24, frames: 10 },
    sensors: ['sk_color', 'sk_depth'],
    lists: 'auto',
    numClasses: 25,
    concurrency: 1,
    log: silentLog,
    progress: 'none',
    ...extra,
  };
}

/** Every file under the cache's clips folder with its bytes. */
async function snapshot(folder: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(join(folder, 'clips'))).sort()) out.set(name, await readFile(join(folder, 'clips', name)));
  return out;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('clip cache', () => {
  let dir = '';
  let root = '';
  let cleanup: () => Promise<void> = async () => undefined;
  let reference = new Map<string, Buffer>();
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    root = join(dir, 'root');
    await writeCountingRoot(root, TRAIN, TEST);
    const res = await prepareCache(options(root, join(dir, 'reference')));
    reference = await snapshot(res.folder);
  });
  after(() => cleanup());

  it('resamples a range evenly, as the identity when lengths match', () => {
    assert.deepEqual(resampleIndices(10, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(resampleIndices(10, 5), [1, 3, 5, 7, 9]);
    assert.deepEqual(resampleIndices(3, 6), [0, 0, 1, 1, 2, 2]);
  });

  it('round-trips every clip: the cache holds exactly the list ranges', async () => {
    const folder = cacheFolder(join(dir, 'reference'), { width: 32, height: 24, frames: 10 });
    const manifest = (await readManifest(folder))!;
    assert.equal(manifest.lists.variant, 'v2');
    assert.deepEqual(manifest.splits.train.map((c) => c.label), [0, 1, 2]);
    assert.equal(reference.size, TOTAL);
    for (const [clips, spec] of [[manifest.splits.train, TRAIN], [manifest.splits.test, TEST]] as const) {
      for (const [k, clip] of clips.entries()) {
        for (const [sensor, channels] of [['sk_color', 3], ['sk_depth', 1]] as const) {
          const data = await readClip(clipFile(folder, clip, sensor), manifest.geometry, channels);
          const frame = 32 * 24 * channels;
          for (let t = 0; t < 10; t++) {
            const want = countingLevel(spec[k]!.start + t);
            assert.ok(data.subarray(t * frame, (t + 1) * frame).every((v) => v === want), `${clip.path} ${sensor} frame ${t}`);
          }
        }
      }
    }
  });

  it('resamples to the cache frame count', async () => {
    const res = await prepareCache(options(root, join(dir, 'half'), { geometry: { width: 16, height: 12, frames: 5 } }));
    const clip = res.manifest.splits.train[0]!;
    const data = await readClip(clipFile(res.folder, clip, 'sk_depth'), res.manifest.geometry, 1);
    const levels = Array.from({ length: 5 }, (_, t) => data[t * 16 * 12]);
    assert.deepEqual(levels, [5, 7, 9, 11, 13].map(countingLevel));
  });

  it('resumes an aborted prepare without decoding any clip twice', async () => {
    const out = join(dir, 'aborted');
    const controller = new AbortController();
    const first: string[] = [];
    const key = (c: CachedClip, s: Sensor): string => `${c.id}/${s}`;
    const r1 = await prepareCache(
      options(root, out, {
        signal: controller.signal,
        onClip: (c, s) => {
          first.push(key(c, s));
          if (first.length === 3) controller.abort();
        },
      }),
    );
    assert.equal(r1.aborted, true);
    assert.equal(r1.decoded, 3);
    assert.equal((await snapshot(r1.folder)).size, 3);
    const second: string[] = [];
    const r2 = await prepareCache(options(root, out, { onClip: (c, s) => second.push(key(c, s)) }));
    assert.equal(r2.aborted, false);
    assert.deepEqual([r2.decoded, r2.skipped, r2.total], [TOTAL - 3, 3, TOTAL]);
    assert.equal(new Set([...first, ...second]).size, TOTAL);
    assert.deepEqual(await snapshot(r2.folder), reference);
    const r3 = await prepareCache(options(root, out));
    assert.deepEqual([r3.decoded, r3.skipped], [0, TOTAL]);
  });

  it('survives a SIGKILL mid-prepare: whole files only, and the resume decodes the rest', async () => {
    const out = join(dir, 'killed');
    const child = spawn(
      process.execPath,
      ['--conditions=ungreedy-development', '--import', 'tsx', fileURLToPath(new URL('./test-fixtures/prepare-child.ts', import.meta.url)), root, out],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let clips = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        clips += chunk.toString().split('\n').filter((l) => l === 'clip').length;
        if (clips >= 3) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    assert.ok(clips >= 3 && clips < TOTAL, `child wrote ${clips} clips before the kill`);
    const folder = cacheFolder(out, { width: 32, height: 24, frames: 10 });
    const before = await snapshot(folder);
    // Whatever the kill interrupted, every .u8 file present is complete.
    for (const [name, bytes] of before) if (name.endsWith('.u8')) assert.deepEqual(bytes, reference.get(name), name);
    const res = await prepareCache(options(root, out));
    const done = [...before.keys()].filter((n) => n.endsWith('.u8')).length;
    assert.deepEqual([res.decoded, res.skipped], [TOTAL - done, done]);
    assert.deepEqual(await snapshot(folder), reference);
  });

  it('removes stray temporaries and refuses a truncated clip file', async () => {
    const out = join(dir, 'stray');
    await cp(join(dir, 'reference'), out, { recursive: true });
    const folder = cacheFolder(out, { width: 32, height: 24, frames: 10 });
    // A dead writer's temporary goes; a live one's (another run preparing the same cache) stays.
    const dead = await deadPid();
    await writeFile(join(folder, 'clips', `x.sk_color.0-1.u8.tmp-${dead}-456`), 'half a file');
    await writeFile(join(folder, 'clips', `y.sk_color.0-1.u8.tmp-${process.ppid}-789`), 'being written');
    const res = await prepareCache(options(root, out));
    assert.equal(res.decoded, 0);
    await rm(join(folder, 'clips', `y.sk_color.0-1.u8.tmp-${process.ppid}-789`));
    assert.deepEqual(await snapshot(folder), reference);
    const clip = res.manifest.splits.test[0]!;
    await truncate(clipFile(folder, clip, 'sk_color'), 100);
    await assert.rejects(readClip(clipFile(folder, clip, 'sk_color'), res.manifest.geometry, 3), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
      assert.equal(e.data.bytes, 100);
      return true;
    });
  });

  describe('bad input leaves nothing partial', () => {
    async function badRoot(name: string, edit: (root: string) => Promise<void>): Promise<string> {
      const bad = join(dir, name);
      await cp(root, bad, { recursive: true });
      await edit(bad);
      return bad;
    }
    async function assertNoPartialFiles(out: string): Promise<void> {
      const names = await readdir(join(cacheFolder(out, { width: 32, height: 24, frames: 10 }), 'clips')).catch(() => []);
      assert.ok(names.every((n) => n.endsWith('.u8') && !n.includes('.tmp-')), names.join(', '));
      for (const n of names) assert.deepEqual(await readFile(join(cacheFolder(out, { width: 32, height: 24, frames: 10 }), 'clips', n)), reference.get(n));
    }

    it('a missing video', async () => {
      const bad = await badRoot('no-video', (r) => rm(join(r, 'Video_data/class_02/subject1_r1/sk_depth.avi')));
      const out = join(dir, 'no-video-cache');
      await assert.rejects(prepareCache(options(bad, out)), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_MISSING'));
        assert.equal(e.data.file, join(bad, 'Video_data/class_02/subject1_r1/sk_depth.avi'));
        return true;
      });
      await assertNoPartialFiles(out);
    });

    it('a frame range past the end of the video', async () => {
      const bad = await badRoot('past-end', async (r) => {
        const file = join(r, 'nvgesture_test_correct_cvpr2016_v2.lst');
        await writeFile(file, (await readFile(file, 'utf8')).replace('color:sk_color:2:12', 'color:sk_color:8:18'));
      });
      const out = join(dir, 'past-end-cache');
      await assert.rejects(prepareCache(options(bad, out)), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
        assert.deepEqual([e.data.start, e.data.end, e.data.videoFrames], [8, 18, 12]);
        return true;
      });
      await assertNoPartialFiles(out);
    });

    it('a damaged video (garbage, or a real one cut to 1 KB) is bad input naming the file', async () => {
      for (const [name, damage] of [
        ['garbage', (f: string) => writeFile(f, 'not a video')],
        ['truncated', async (f: string) => writeFile(f, (await readFile(f)).subarray(0, 1024))],
      ] as const) {
        const video = (r: string): string => join(r, 'Video_data/class_01/subject1_r0/sk_color.avi');
        const bad = await badRoot(name, (r) => damage(video(r)));
        const out = join(dir, `${name}-cache`);
        await assert.rejects(prepareCache(options(bad, out)), (e: unknown) => {
          assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'), String(e));
          assert.deepEqual([e.data.file, e.data.reason], [video(bad), 'video-unreadable']);
          return true;
        });
        await assertNoPartialFiles(out);
      }
    });

    it('a clip that fails after Ctrl-C (ffmpeg got the signal too) is the interruption, not an error', async () => {
      const bad = await badRoot('interrupted', (r) => writeFile(join(r, 'Video_data/class_01/subject1_r0/sk_color.avi'), 'not a video'));
      const controller = new AbortController();
      // The first clip (the damaged one) is in ffmpeg when the signal arrives.
      setImmediate(() => controller.abort());
      const res = await prepareCache({ ...options(bad, join(dir, 'interrupted-cache'), { concurrency: 1 }), signal: controller.signal });
      assert.equal(res.aborted, true);
      assert.equal(res.decoded, 0);
    });

    it('an unparseable list line, before anything is decoded', async () => {
      const bad = await badRoot('bad-line', async (r) => {
        const file = join(r, 'nvgesture_train_correct_cvpr2016_v2.lst');
        await writeFile(file, `${await readFile(file, 'utf8')}path:./x depth:sk_depth:1 label:1\n`);
      });
      const out = join(dir, 'bad-line-cache');
      await assert.rejects(prepareCache(options(bad, out)), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
        assert.deepEqual([e.data.file, e.data.line], [join(bad, 'nvgesture_train_correct_cvpr2016_v2.lst'), 4]);
        return true;
      });
      await assertNoPartialFiles(out);
    });

    it('a list line without a selected sensor', async () => {
      const out = join(dir, 'no-duo-cache');
      await assert.rejects(prepareCache(options(root, out, { sensors: ['sk_color', 'duo_left'] })), (e: unknown) => {
        assert.ok(isUngreedyError(e, 'UNG_ERR_DATASET_CORRUPT'));
        assert.deepEqual([e.data.line, e.data.sensor], [1, 'duo_left']);
        return true;
      });
      await assertNoPartialFiles(out);
    });
  });
});
