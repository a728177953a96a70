// Writes a colored-mnist instance as raw little-endian arrays for scripts/greedy_check.py:
// <out>/<split>_gray.bin (float32 [N,S,S,1]), <split>_color.bin (float32 [N,S,S,3]), <split>_labels.bin (int32 [N]).
// Usage (from packages/dataset-colored-mnist):
//   node --conditions=ungreedy-development --import tsx scripts/export-bin.ts <seed> <trainColorStd> <imageSize> <train> <val> <test> <outDir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '@ungreedy/core';
import { silentLogger } from '@ungreedy/core/testing';
import { createColoredMnist, DEFAULT_OPTIONS } from '../src/index.js';

const [seed, std, size, train, val, test, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: export-bin.ts <seed> <trainColorStd> <imageSize> <train> <val> <test> <outDir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const ds = await createColoredMnist(
  { ...DEFAULT_OPTIONS, imageSize: Number(size), trainColorStd: Number(std), trainSize: Number(train), valSize: Number(val), testSize: Number(test) },
  { rng: Rng.fromSeed(Number(seed), 'data'), log: silentLogger(), configDir: '.', cacheDir: '.' },
);
for (const split of ['train', 'val', 'test'] as const) {
  const parts: [Float32Array[], Float32Array[], Int32Array[]] = [[], [], []];
  for await (const b of ds.batches(split, { batchSize: 1000, shuffle: false, augment: false, rng: Rng.fromSeed(0) })) {
    parts[0].push(b.inputs[0]!);
    parts[1].push(b.inputs[1]!);
    parts[2].push(b.labels);
  }
  const bytes = (xs: (Float32Array | Int32Array)[]) => Buffer.concat(xs.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)));
  writeFileSync(`${out}/${split}_gray.bin`, bytes(parts[0]));
  writeFileSync(`${out}/${split}_color.bin`, bytes(parts[1]));
  writeFileSync(`${out}/${split}_labels.bin`, bytes(parts[2]));
}
