// Measures the modelnet40 loading path: PNG decoding into the view cache (first load) against loading
// from the cache (later runs), in images per second, plus one epoch of batches with and without prefetch.
//   node --conditions=ungreedy-development --import tsx scripts/bench-load.ts [--size 224] [--per-class 20] [--classes 10]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Rng } from '@ungreedy/core';
import { createModelNet40, defaultModelNet40Options, makeModelNet40Mini } from '../src/index.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, 'per-class': { type: 'string' }, classes: { type: 'string' }, keep: { type: 'string' } } });
const size = Number(values.size ?? 224);
const perClass = Number(values['per-class'] ?? 20);
const classes = Number(values.classes ?? 10);
const dir = values.keep ?? (await mkdtemp(join(tmpdir(), 'mn40-bench-')));
const log = pino({ level: 'silent' });

let t = performance.now();
const made = await makeModelNet40Mini({ out: join(dir, 'data'), classes, perClassTrain: perClass, perClassTest: Math.max(1, perClass / 4), size, views: [0, 6] });
const genSeconds = (performance.now() - t) / 1000;
const objects = made.counts.train + made.counts.test;
console.log(`generated ${objects} objects × 2 views at ${size}px in ${genSeconds.toFixed(2)} s (${((2 * objects) / genSeconds).toFixed(1)} rendered images/s incl. PNG encode)`);

const options = { ...defaultModelNet40Options, root: made.mvcnnRoot, classes: 'from-folders' as const };
const ctx = () => ({ rng: Rng.fromSeed(1, 'data'), log, configDir: dir, cacheDir: join(dir, 'cache') });
// Wall time depends on what else the machine runs; CPU time of this thread is the steadier measure.
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
for (const label of ['first load (decode PNGs, write cache)', 'cached load']) {
  t = performance.now();
  const cpu = process.cpuUsage();
  const ds = await createModelNet40(options, ctx());
  const s = (performance.now() - t) / 1000;
  const c = cpuSeconds(cpu);
  console.log(`${label}: ${s.toFixed(3)} s, ${((2 * objects) / s).toFixed(0)} images/s wall, ${((2 * objects) / c).toFixed(0)} images per CPU second`);
  await ds.dispose();
}
// A training step stand-in that keeps the main thread busy (as a cpu / wasm backend does) for 20 ms.
const busyStep = () => {
  const end = performance.now() + 20;
  while (performance.now() < end);
};
for (const [prefetch, decodeWorker] of [[0, false], [2, false], [2, true]] as const) {
  const ds = await createModelNet40({ ...options, prefetch, decodeWorker }, ctx());
  for await (const _ of ds.batches('train', { batchSize: 8, shuffle: false, augment: false, rng: Rng.fromSeed(2, 'shuffle') })) break; // worker start-up
  t = performance.now();
  let n = 0;
  let steps = 0;
  for await (const b of ds.batches('train', { batchSize: 8, shuffle: true, augment: true, rng: Rng.fromSeed(2, 'shuffle') })) {
    n += b.size;
    steps++;
    busyStep();
  }
  const s = (performance.now() - t) / 1000;
  const waiting = s - steps * 0.02;
  console.log(
    `epoch, batches of 8 (shuffle, flip, normalise), 20 ms busy steps, prefetch ${prefetch}, decodeWorker ${decodeWorker}: ` +
      `${((2 * n) / s).toFixed(0)} images/s, ${((1000 * waiting) / steps).toFixed(1)} ms per step waiting for data`,
  );
  await ds.dispose();
}
if (!values.keep) await rm(dir, { recursive: true, force: true });
