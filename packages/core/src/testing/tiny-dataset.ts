import { Rng } from '../contract/rng/rng.js';
import { BatchOrder, streamBatches } from '../contract/data/batch-iterator.js';
import type { Batch, BatchRequest, Dataset, DatasetContext, ModalitySpec, SplitName } from '../contract/data/dataset.js';
import type { DatasetContribution } from '../contract/plugin/manifest.js';

/** One synthetic modality: x = signal · prototype[class] + noise · N(0, 1), elementwise. */
export interface TinyModalityOptions {
  readonly name?: string;
  /** Per-sample shape, channels last, e.g. [8] or [6, 6, 1]. */
  readonly shape: readonly number[];
  /** Weight of the class prototype: larger = easier to learn from. */
  readonly signal: number;
  /** Standard deviation of the per-sample noise. */
  readonly noise: number;
}

export interface TinyDatasetOptions {
  readonly numClasses: number;
  readonly sizes: { readonly train: number; readonly val: number; readonly test: number };
  readonly modalities: readonly TinyModalityOptions[];
  /** Standard deviation of extra noise added to training batches when `augment` is requested (0 = none). */
  readonly augmentNoise?: number;
}

/**
 * A synthetic in-memory multi-modal dataset for tests and examples. Each class has a fixed random prototype per
 * modality; a modality with a large `signal` and small `noise` is much easier to learn from than one with a weak
 * signal buried in noise, which is how greedy learning is provoked on purpose.
 *
 * @example
 * const ds = tinyDataset({ seed: 1, numClasses: 3, sizes: { train: 48, val: 12, test: 24 },
 *   modalities: [{ shape: [8], signal: 0.3, noise: 1 }, { shape: [8], signal: 2, noise: 0.3 }] });
 */
export function tinyDataset(options: TinyDatasetOptions & { readonly seed: number }): Dataset {
  return new TinyDataset(options, Rng.fromSeed(options.seed, 'tiny-dataset'));
}

class TinyDataset implements Dataset {
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  private readonly splits: Record<SplitName, { indices: Int32Array; labels: Int32Array; inputs: Float32Array[] }>;
  private readonly sampleSizes: number[];

  constructor(
    private readonly options: TinyDatasetOptions,
    rng: Rng,
  ) {
    this.numClasses = options.numClasses;
    this.modalities = options.modalities.map((m, k) => ({ name: m.name ?? `m${k}`, shape: [...m.shape] }));
    this.sampleSizes = options.modalities.map((m) => m.shape.reduce((a, b) => a * b, 1));
    const prototypes = options.modalities.map((_, k) =>
      Array.from({ length: options.numClasses }, () => rng.fillNormal(new Float32Array(this.sampleSizes[k]!))),
    );
    let offset = 0;
    const make = (split: SplitName, n: number, indexBase: number) => {
      const labels = Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i % options.numClasses)));
      const inputs = options.modalities.map((m, k) => {
        const size = this.sampleSizes[k]!;
        const data = new Float32Array(n * size);
        for (let i = 0; i < n; i++) {
          const proto = prototypes[k]![labels[i]!]!;
          for (let j = 0; j < size; j++) data[i * size + j] = m.signal * proto[j]! + m.noise * rng.normal();
        }
        return data;
      });
      const indices = Int32Array.from({ length: n }, (_, i) => indexBase + i);
      return { split, indices, labels, inputs };
    };
    const train = make('train', options.sizes.train, offset);
    offset += options.sizes.train;
    const val = make('val', options.sizes.val, offset);
    const test = make('test', options.sizes.test, 0);
    this.splits = { train, val, test };
  }

  size(split: SplitName): number {
    return this.splits[split].labels.length;
  }

  indices(split: SplitName): Int32Array {
    return this.splits[split].indices.slice();
  }

  async *batches(split: SplitName, request: BatchRequest): AsyncIterable<Batch> {
    const data = this.splits[split];
    const order = BatchOrder.draw(data.labels.length, request, { dataset: 'tiny' });
    const augmentNoise = this.options.augmentNoise ?? 0;
    // One seed per epoch, one derived stream per batch: skipped batches need no draws to stay aligned.
    const augmentSeed = request.augment && augmentNoise > 0 ? request.rng.nextUint32() : null;
    const load = (rows: Int32Array, b: number): Batch => {
      const size = rows.length;
      const augment = augmentSeed !== null ? Rng.fromSeed(augmentSeed + b, 'tiny-augment') : null;
      const inputs = data.inputs.map((src, k) => {
        const w = this.sampleSizes[k]!;
        const out = new Float32Array(size * w);
        rows.forEach((r, i) => out.set(src.subarray(r * w, (r + 1) * w), i * w));
        if (augment) for (let i = 0; i < out.length; i++) out[i]! += augmentNoise * augment.normal();
        return out;
      });
      return {
        indices: Int32Array.from(rows, (r) => data.indices[r]!),
        labels: Int32Array.from(rows, (r) => data.labels[r]!),
        inputs,
        size,
      };
    };
    yield* streamBatches(order, load, { check: { dataset: 'tiny', numClasses: this.numClasses, modalities: this.modalities } });
  }

  describe(): Record<string, unknown> {
    return { kind: 'tiny', sizes: this.options.sizes };
  }
}

/**
 * The tiny dataset as a contribution, so a test config can `use` it after registering it in a plugin
 * (`datasets: { tiny: tinyDatasetContribution }`). It draws from the run's `data` stream.
 */
export const tinyDatasetContribution: DatasetContribution<TinyDatasetOptions> = {
  meta: {
    docs: { description: 'Synthetic class-prototype data with per-modality signal and noise, for tests.' },
    defaultOptions: {
      numClasses: 3,
      sizes: { train: 48, val: 12, test: 24 },
      modalities: [
        { shape: [8], signal: 0.3, noise: 1 },
        { shape: [8], signal: 2, noise: 0.3 },
      ],
      augmentNoise: 0,
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['numClasses', 'sizes', 'modalities'],
      properties: {
        numClasses: { type: 'integer', minimum: 2 },
        sizes: {
          type: 'object',
          additionalProperties: false,
          required: ['train', 'val', 'test'],
          properties: {
            train: { type: 'integer', minimum: 1 },
            val: { type: 'integer', minimum: 0 },
            test: { type: 'integer', minimum: 0 },
          },
        },
        modalities: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['shape', 'signal', 'noise'],
            properties: {
              name: { type: 'string' },
              shape: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
              signal: { type: 'number' },
              noise: { type: 'number', minimum: 0 },
            },
          },
        },
        augmentNoise: { type: 'number', minimum: 0 },
      },
    },
  },
  create(options: TinyDatasetOptions, ctx: DatasetContext): Dataset {
    return new TinyDataset(options, ctx.rng);
  },
};
