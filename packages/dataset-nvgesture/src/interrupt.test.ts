import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@ungreedy/core/app';
import { startScript } from '@ungreedy/core/testing';
import { tempDir } from './test-fixtures/fixtures.js';

// Ctrl-C during a run's lazy prepare (the clips decoded on the first load), sent to a real `ungreedy run`
// process and its ffmpeg children as a terminal does (issue 16, finding 11; packages/core/docs/faults.md).
const cli = join(dirname(fileURLToPath(import.meta.url)), '../scripts/ungreedy.mts');
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => {
  ({ dir, cleanup } = await tempDir('nvg-sig-'));
  const quiet = { out: () => {}, err: () => {}, cwd: dir, env: { ...process.env }, isTTY: false };
  const make = ['--out', 'mini', '--classes', '3', '--per-class-train', '12', '--per-class-test', '4', '--size', '32x24', '--frames', '6'];
  assert.equal(await main(['datasets', 'make', 'nvgesture-mini', ...make], quiet), 0);
});
after(() => cleanup());

it('Ctrl-C during the lazy prepare of a run exits 130, says nothing was trained, leaves no run folder and no partial clip', async () => {
  await writeFile(join(dir, 'sig.json'), JSON.stringify({
    name: 'sig', seed: 1, backend: 'cpu', plugins: ['@ungreedy/dataset-nvgesture'],
    dataset: { use: 'nvgesture', options: { root: 'mini', numClasses: 3, size: { width: 16, height: 12 }, cacheFrames: 6, frames: 4, temporalStride: 1, crop: { width: 8, height: 8 }, concurrency: 1 } },
    model: { encoders: [{ use: 'cnn3d', options: { channels: [4], pool: [1, 2, 2] } }], fusion: { use: 'late', options: {}, after: [] } },
    strategy: { use: 'vanilla', options: {} },
    train: { epochs: 1, batchSize: 4, evalBatchSize: 8, optimizer: { type: 'sgd', lr: 0.05 }, scheduler: { type: 'none' } },
    output: { dir: 'runs' },
  }));
  const cache = join(dir, 'cache');
  const r = startScript(cli, ['run', 'sig.json'], { cwd: dir, env: { ...process.env, UNGREEDY_CACHE_DIR: cache, UNGREEDY_LOG_LEVEL: 'info' } });
  await r.until('the prepare to start', () => /nvgesture prepare start/.test(r.output()));
  // The whole process group, ffmpeg children included, as a terminal's Ctrl-C.
  r.signal('SIGINT');
  assert.equal(await r.exited, 130, r.output());
  assert.match(r.output(), /nothing was trained.*Rerun with: ungreedy run sig\.json/);
  assert.ok(!existsSync(join(dir, 'runs', 'sig-seed1')), 'the untrained run folder is removed');
  const files = readdirSync(cache, { recursive: true, encoding: 'utf8' });
  assert.deepEqual(files.filter((f) => /\.tmp-/.test(f)), [], 'no partial clip file');
  // Interrupted part-way: some clips are still to decode (96 clip files in all).
  assert.ok(files.filter((f) => f.includes('clips/')).length < 96, `${files.length} files in the cache`);
});

it('Ctrl-C during `ungreedy prepare nvgesture` exits 130 with a resume line and no partial clip; the same command then finishes the cache', async () => {
  const args = ['prepare', 'nvgesture', 'mini', '--out', 'prepared', '--size', '16x12', '--frames', '6', '--classes', '3', '--concurrency', '1'];
  const r = startScript(cli, args, { cwd: dir, env: { ...process.env, UNGREEDY_LOG_LEVEL: 'info' } });
  await r.until('the prepare to start', () => /nvgesture prepare start/.test(r.output()));
  r.signal('SIGINT');
  assert.equal(await r.exited, 130, r.output());
  assert.match(r.output(), /interrupted: run the same command again to resume/);
  const files = (): string[] => readdirSync(join(dir, 'prepared'), { recursive: true, encoding: 'utf8' });
  assert.deepEqual(files().filter((f) => /\.tmp-/.test(f)), []);
  const again = startScript(cli, args, { cwd: dir, env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' } });
  assert.equal(await again.exited, 0, again.output());
  assert.match(again.output(), /clips: \d+ decoded, \d+ already cached, 96 in all/);
  assert.deepEqual(files().filter((f) => /\.tmp-/.test(f)), []);
});
