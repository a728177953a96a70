import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng, type Batch, type Dataset, type DatasetContext, type SplitName } from '@ungreedy/core';
import { silentLogger } from '@ungreedy/core/testing';
import { encodeIdx } from '../idx-file.js';

/** A dataset context on the `data` stream of `seed`, with a silent logger. */
export function makeContext(seed: number, configDir = '.'): DatasetContext {
  return { rng: Rng.fromSeed(seed, 'data'), log: silentLogger(), configDir, cacheDir: tmpdir() };
}

export interface FakeMnist {
  readonly dir: string;
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

/**
 * Writes a small MNIST-layout folder (random 28x28 bytes, labels cycling 0..9) into a fresh temp folder.
 * `gzip` picks which of the four files are stored gzipped; `dotted` uses the `train-images.idx3-ubyte` naming.
 */
export function writeFakeMnist(opts: { train: number; test: number; seed: number; gzip?: readonly string[]; dotted?: boolean }): FakeMnist {
  const dir = mkdtempSync(join(tmpdir(), 'cmnist-idx-'));
  const rng = Rng.fromSeed(opts.seed, 'fixture');
  const images = (n: number): Uint8Array => Uint8Array.from({ length: n * 784 }, () => rng.int(256));
  const labels = (n: number, offset: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i + offset) % 10);
  const fake = {
    dir,
    trainImages: images(opts.train),
    trainLabels: labels(opts.train, 0),
    testImages: images(opts.test),
    testLabels: labels(opts.test, 3),
  };
  const files: [string, Uint8Array][] = [
    ['train-images-idx3-ubyte', encodeIdx([opts.train, 28, 28], fake.trainImages)],
    ['train-labels-idx1-ubyte', encodeIdx([opts.train], fake.trainLabels)],
    ['t10k-images-idx3-ubyte', encodeIdx([opts.test, 28, 28], fake.testImages)],
    ['t10k-labels-idx1-ubyte', encodeIdx([opts.test], fake.testLabels)],
  ];
  for (const [name, bytes] of files) {
    const stored = opts.dotted ? name.replace(/-(idx\d-ubyte)$/, '.$1') : name;
    if (opts.gzip?.includes(name)) writeFileSync(join(dir, `${stored}.gz`), gzipSync(bytes));
    else writeFileSync(join(dir, stored), bytes);
  }
  return fake;
}

/** Every batch of a split in stored order, concatenated per field. */
export async function collect(ds: Dataset, split: SplitName, batchSize = 256): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(split, { batchSize, shuffle: false, augment: false, rng: Rng.fromSeed(0, 'shuffle') })) out.push(b);
  return out;
}

/**
 * The colour each sample was tinted with, read back from its pixels: colour / gray at the brightest gray
 * pixel (same-image pairing, no normalisation).
 */
export function colorsOf(batch: Batch, pixels: number): Float32Array {
  const [gray, color] = batch.inputs as [Float32Array, Float32Array];
  const out = new Float32Array(batch.size * 3);
  for (let b = 0; b < batch.size; b++) {
    let best = 0;
    for (let q = 1; q < pixels; q++) if (gray[b * pixels + q]! > gray[b * pixels + best]!) best = q;
    const v = gray[b * pixels + best]!;
    for (let c = 0; c < 3; c++) out[3 * b + c] = color[(b * pixels + best) * 3 + c]! / v;
  }
  return out;
}

/** Asserts a promise rejects with an UngreedyError of `code` whose data includes `data`; returns the error. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  data: Record<string, unknown> = {},
): Promise<{ code: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; data?: Record<string, unknown> };
    assert.equal(e.code, code, `expected ${code}, got ${String(err)}`);
    for (const [k, v] of Object.entries(data)) assert.deepEqual(e.data?.[k], v, `data.${k}`);
    return e as { code: string; data: Record<string, unknown> };
  }
  assert.fail(`expected rejection with ${code}`);
}
