import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames } from './ffmpeg.js';
import { findListFiles, readList } from './list-file.js';
import { TRAJECTORIES } from './make-mini.js';
import { tempDir, tinyMini } from './test-fixtures/fixtures.js';

/** Mean absolute difference between horizontally neighbouring pixels of channel 0: a noise measure. */
function roughness(frames: Uint8Array, width: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 3; i < frames.length; i += 3) {
    if ((i / 3) % width === 0) continue;
    sum += Math.abs(frames[i]! - frames[i - 3]!);
    n++;
  }
  return sum / n;
}

describe('nvgesture-mini generator', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await tinyMini(join(dir, 'a'), { duo: true, codec: 'mjpeg' });
    await tinyMini(join(dir, 'b'), { duo: true, codec: 'mjpeg' });
    await tinyMini(join(dir, 'v1'), { listVariant: 'v1', noisy: 'depth', noise: 0.3, classes: 1, perClassTrain: 1, perClassTest: 1 });
  });
  after(() => cleanup());

  it('offers 25 trajectories', () => {
    assert.equal(TRAJECTORIES.length, 25);
  });

  it('writes the official layout with _v2 lists whose ranges lie inside the videos', async () => {
    const root = join(dir, 'a');
    const lists = findListFiles(root);
    assert.equal(lists.variant, 'v2');
    const train = await readList(lists.train, 25);
    const test = await readList(lists.test, 25);
    assert.equal(train.length, 6);
    assert.equal(test.length, 3);
    assert.deepEqual(train.map((e) => e.label), [0, 0, 1, 1, 2, 2]);
    assert.deepEqual(await readdir(join(root, 'Video_data')), ['class_01', 'class_02', 'class_03']);
    const trainSubjects = new Set(train.map((e) => e.path.split('/')[2]!.split('_')[0]));
    assert.ok(test.every((e) => !trainSubjects.has(e.path.split('/')[2]!.split('_')[0])), 'test subjects differ from train');
    for (const e of [...train, ...test]) {
      assert.match(e.path, /^Video_data\/class_\d\d\/subject\d+_r\d$/);
      for (const sensor of ['sk_color', 'sk_depth', 'duo_left'] as const) {
        const r = e.sensors[sensor]!;
        assert.equal(r.end - r.start, 10);
        const file = join(root, e.path, `${sensor}.avi`);
        assert.ok(existsSync(file), file);
        // The range decodes in full; one frame more past the padding would not.
        await decodeFrames(file, r, { width: 32, height: 24 });
      }
    }
  });

  it('is deterministic for a seed', async () => {
    const a = findListFiles(join(dir, 'a'));
    const b = findListFiles(join(dir, 'b'));
    assert.equal(await readFile(a.train, 'utf8'), await readFile(b.train, 'utf8'));
    const path = 'Video_data/class_02/subject1_r1/sk_color.avi';
    assert.deepEqual(await readFile(join(dir, 'a', path)), await readFile(join(dir, 'b', path)));
  });

  it('writes the older list names and makes the chosen modality noisier', async () => {
    const root = join(dir, 'v1');
    assert.equal(findListFiles(root).variant, 'v1');
    const [e] = await readList(findListFiles(root).train, 25);
    const size = { width: 32, height: 24 };
    const rgb = await decodeFrames(join(root, e!.path, 'sk_color.avi'), e!.sensors.sk_color!, size);
    const depth = await decodeFrames(join(root, e!.path, 'sk_depth.avi'), e!.sensors.sk_depth!, size);
    assert.ok(roughness(depth.data, 32) > 4 * roughness(rgb.data, 32), `${roughness(depth.data, 32)} vs ${roughness(rgb.data, 32)}`);
  });

  it('draws a depth blob that grows brighter when the hand comes nearer (push)', async () => {
    const root = join(dir, 'push');
    await tinyMini(root, { classes: 17, perClassTrain: 1, perClassTest: 1, frames: 6, pad: 0, baseNoise: 0 });
    const entries = await readList(findListFiles(root).train, 25);
    const push = entries.find((e) => e.label === 16)!;
    const d = await decodeFrames(join(root, push.path, 'sk_depth.avi'), push.sensors.sk_depth!, { width: 32, height: 24 });
    const peak = (t: number): number => Math.max(...Array.from({ length: 32 * 24 }, (_, p) => d.data[(t * 32 * 24 + p) * 3]!));
    assert.ok(peak(5) > peak(0) + 60, `${peak(0)} -> ${peak(5)}`);
  });
});
