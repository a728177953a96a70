import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScript, type ScriptRun } from '@ungreedy/core/testing';
import { makeTiny, removeDir, tempDir } from './test-fixtures/helpers.js';

// Ctrl-C as a user sends it, to a real `ungreedy run` process (issue 16, finding 11; packages/core/docs/faults.md).
const cli = join(dirname(fileURLToPath(import.meta.url)), '../scripts/ungreedy.mts');
let work: string;

before(async () => {
  work = await tempDir('ungreedy-mn40-sig-');
  // 4 classes × (5 train + 2 test) objects: OFF meshes and their 16 px renders.
  await makeTiny(join(work, 'data'), { views: [0, 6] });
});
after(() => removeDir(work));

function config(name: string, options: Record<string, unknown>, epochs: number): string {
  const cfg = {
    name,
    seed: 0,
    backend: 'cpu',
    plugins: ['@ungreedy/dataset-modelnet40'],
    dataset: { use: 'modelnet40', options: { classes: 'from-folders', views: [0, 6], validation: { mode: 'fraction', fraction: 0.2 }, ...options } },
    model: { encoders: [{ use: 'cnn', options: { channels: [4, 4, 4] } }], fusion: { use: 'mmtm', options: {}, after: [1, 2] } },
    strategy: { use: 'vanilla', options: {} },
    train: { epochs, batchSize: 2, evalBatchSize: 8, optimizer: { type: 'sgd', lr: 0.01 }, scheduler: { type: 'none' } },
    output: { dir: 'runs' },
  };
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

/** `ungreedy run <config>` as a real child process, in its own process group. */
const run = (configFile: string, cache: string): ScriptRun =>
  startScript(cli, ['run', configFile], { cwd: work, env: { ...process.env, UNGREEDY_CACHE_DIR: cache, UNGREEDY_LOG_LEVEL: 'info' } });

const steps = (runDir: string): number => {
  const file = join(runDir, 'metrics.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"step"')).length : 0;
};

const temps = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tmp-/.test(f)) : [];

test('Ctrl-C during the first load (rendering OFF meshes into the cache) exits 130, says nothing was trained and how to rerun, and leaves no run folder and no partial files', async () => {
  const cache = join(work, 'cache-first-load');
  // 96 px renders on one thread: the first load lasts seconds, long enough to be interrupted in it.
  const file = config('first', { root: 'data/off', layout: 'off', renderSize: 96, renderJobs: 1 }, 1);
  const r = run(file, cache);
  await r.until('the render to start', () => /"task":"render"/.test(r.output()));
  r.signal('SIGINT');
  const code = await r.exited;
  assert.equal(code, 130, r.output());
  assert.match(r.output(), /nothing was trained.*Rerun with: ungreedy run .*first\.json/);
  assert.doesNotMatch(r.output(), /--resume/);
  assert.ok(!existsSync(join(work, 'runs', 'first-seed0')), 'the untrained run folder is removed');
  assert.deepEqual(temps(cache), []);
  // The view cache is written only once the load completes.
  assert.deepEqual(readdirSync(join(cache, 'modelnet40')).filter((f) => f.startsWith('views-')), []);
});

for (const decodeWorker of [true, false]) {
  test(`Ctrl-C during training with decodeWorker: ${decodeWorker} stops within one step: exit 130, checkpoint, resume hint`, async () => {
    const name = `train-${decodeWorker}`;
    const runDir = join(work, 'runs', `${name}-seed0`);
    const r = run(config(name, { root: 'data/mvcnn', layout: 'mvcnn', decodeWorker }, 40), join(work, `cache-${name}`));
    await r.until('a training step', () => steps(runDir) >= 1);
    const at = steps(runDir);
    r.signal('SIGINT');
    const code = await r.exited;
    assert.equal(code, 130, r.output());
    assert.ok(steps(runDir) <= at + 2, `steps at the signal ${at}, at exit ${steps(runDir)} (of 320)`);
    assert.ok(existsSync(join(runDir, 'checkpoints', 'last', 'index.json')));
    assert.match(r.output(), /ungreedy run --resume/);
    assert.equal((JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { status: string }).status, 'interrupted');
  });
}

