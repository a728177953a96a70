// Run as a child process by clip-cache.test.ts, which kills it with SIGKILL part-way through.
// Each clip is followed by a synchronous pause, so the parent can kill between and during writes.
import { prepareCache } from '../clip-cache.js';
import { silentLog } from './fixtures.js';

const [root, out] = process.argv.slice(2) as [string, string];
const pause = new Int32Array(new SharedArrayBuffer(4));
await prepareCache({
  root,
  out,
  geometry: { width: 32, height: 24, frames: 10 },
  sensors: ['sk_color', 'sk_depth'],
  lists: 'auto',
  numClasses: 25,
  concurrency: 1,
  log: silentLog,
  progress: 'none',
  onClip: () => {
    process.stdout.write('clip\n');
    Atomics.wait(pause, 0, 0, 120);
  },
});
