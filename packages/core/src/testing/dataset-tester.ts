import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../contract/errors/errors.js';
import type { ErrorCode } from '../contract/errors/errors.js';
import { checkBatch } from '../contract/data/batch-iterator.js';
import type { Batch, BatchRequest, Dataset, SplitName } from '../contract/data/dataset.js';
import type { PluginManifest } from '../contract/plugin/manifest.js';
import { Rng } from '../contract/rng/rng.js';
import { checkPlugin } from './check-plugin.js';
import { setupTestBackend } from './test-backend.js';
import { errorPointers } from './module-checks.js';

const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/** A way to make the dataset that must fail, with its error code and (optionally) the bad option's pointer. */
export interface InvalidDatasetCase {
  /** Names the case in the test title, e.g. `trainSize larger than the data`. */
  readonly name: string;
  readonly create: () => unknown;
  readonly code: ErrorCode;
  /** Expected in the error's `data.pointer`, `data.path` or `data.issues[].pointer`, e.g. `/dataset/options/root`. */
  readonly pointer?: string;
}

export interface DatasetCases {
  /** Makes the dataset under test; called several times (each must give the same data). Keep it small. */
  readonly create: () => Dataset | Promise<Dataset>;
  /** The split sizes `create` must give. */
  readonly sizes?: { readonly train: number; readonly val: number; readonly test: number };
  readonly invalid?: readonly InvalidDatasetCase[];
  /** The plugin that contributes the dataset: checked with {@link checkPlugin}. */
  readonly plugin?: PluginManifest;
}

export interface DatasetTesterOptions {
  /** Batch size of every pass. Default 4. */
  readonly batchSize?: number;
  readonly seed?: number;
  /**
   * Also request training augmentation in the shuffled passes (default true): order and augmentation must both be
   * functions of the seeds, and a resume must see the same augmentation.
   */
  readonly augment?: boolean;
}

/**
 * The conformance suite for a dataset (STYLE.md H13), like {@link StrategyTester}: it registers `node:test`
 * tests that check the contract of `Dataset` (packages/core/src/contract/data/dataset.ts), not the data itself.
 * - declaration: modalities with unique names and positive integer shapes, `numClasses` ≥ 2, `classNames` (if any)
 *   one per class, `size(split)` = `indices(split).length` (and `sizes` when given), no repeated index in a split;
 * - every split in stored order: the batches cover `indices(split)` in order, `batchSize` each but the last, with
 *   typed arrays whose lengths match the modalities' shapes, finite inputs and labels in [0, numClasses)
 *   (`checkBatch`); an evaluation request (no shuffle, no augmentation) draws nothing from its streams;
 * - the shuffled order is a function of the seed: a permutation of the split, the same for the same seed and for a
 *   second instance made by `create`, different for another seed;
 * - `skipBatches = k` yields exactly batches k.. of the full epoch (bit for bit, augmentation included) and leaves
 *   the streams where the full epoch leaves them, so the next epoch of a resumed run is the same too;
 * - a batch size or `skipBatches` that is not a (positive / non-negative) integer fails with a coded error, and so
 *   does each invalid case;
 * - iterating (and `dispose`) leaves `tf.memory().numTensors` unchanged: a dataset never owns a tensor;
 * - the plugin manifest, when given, passes {@link checkPlugin}.
 *
 * @example
 * new DatasetTester({ batchSize: 8 }).run('colored-mnist', {
 *   create: () => createColoredMnist({ ...DEFAULT_OPTIONS, trainSize: 40, valSize: 8, testSize: 16 }, context),
 *   sizes: { train: 40, val: 8, test: 16 },
 *   invalid: [{ name: 'too many samples', create: () => createColoredMnist({ ...DEFAULT_OPTIONS, trainSize: 1e6 }, context), code: 'UNG_ERR_DATASET_TOO_SMALL' }],
 * });
 */
export class DatasetTester {
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly augment: boolean;

  constructor(options: DatasetTesterOptions = {}) {
    this.batchSize = options.batchSize ?? 4;
    this.seed = options.seed ?? 1;
    this.augment = options.augment ?? true;
  }

  run(id: string, cases: DatasetCases): void {
    describe(`dataset "${id}" conformance`, () => {
      let ds: Dataset;
      before(async () => {
        await setupTestBackend();
        ds = await cases.create();
      });
      after(async () => {
        await ds?.dispose?.();
      });

      test('declaration: modalities, classes, split sizes and indices agree', () => {
        checkDeclaration(ds, cases.sizes);
      });

      test(`every split in stored order: batches of ${this.batchSize} cover the split in order, typed and in range; no draws`, async () => {
        for (const split of SPLITS) {
          const rng = Rng.fromSeed(this.seed, 'shuffle');
          const augmentRng = Rng.fromSeed(this.seed, 'augment');
          const states = [rng.state(), augmentRng.state()];
          const batches = await collect(ds, split, { batchSize: this.batchSize, shuffle: false, augment: false, rng, augmentRng });
          const n = ds.size(split);
          assert.deepEqual(
            batches.map((b) => b.size),
            Array.from({ length: Math.ceil(n / this.batchSize) }, (_, b) => Math.min(this.batchSize, n - b * this.batchSize)),
            `${split}: batch sizes (the last batch is kept, possibly smaller)`,
          );
          assert.deepEqual(concatIndices(batches), [...ds.indices(split)], `${split}: stored order must be indices("${split}")`);
          for (const b of batches) checkContent(ds, b, id);
          assert.deepEqual([rng.state(), augmentRng.state()], states, `${split}: an evaluation request must not draw from its streams`);
        }
      });

      test('the shuffled order is a permutation of the split and a function of the seed', async () => {
        const a = await this.epoch(ds, this.seed);
        const again = await this.epoch(ds, this.seed);
        assert.deepEqual(concatIndices(a).sort((x, y) => x - y), [...ds.indices('train')].sort((x, y) => x - y), 'a shuffled epoch must visit every sample once');
        assertSameBatches(again, a, 'the same seed must give the same batches');
        const second = await cases.create();
        try {
          assertSameBatches(await this.epoch(second, this.seed), a, 'a second instance made by create() must give the same batches for the seed');
        } finally {
          await second.dispose?.();
        }
        if (ds.size('train') >= 6) {
          assert.notDeepEqual(concatIndices(await this.epoch(ds, this.seed + 1)), concatIndices(a), 'another seed must give another order');
        }
      });

      test('skipBatches = k yields exactly batches k.. of the epoch and leaves the streams where the epoch does', async () => {
        const rng = Rng.fromSeed(this.seed, 'shuffle');
        const augmentRng = Rng.fromSeed(this.seed, 'augment');
        const full = await collect(ds, 'train', this.request(rng, augmentRng));
        const count = full.length;
        for (const k of [...new Set([1, Math.floor(count / 2), count - 1, count])].filter((k) => k >= 1)) {
          const r = Rng.fromSeed(this.seed, 'shuffle');
          const ar = Rng.fromSeed(this.seed, 'augment');
          const rest = await collect(ds, 'train', { ...this.request(r, ar), skipBatches: k });
          assertSameBatches(rest, full.slice(k), `skipBatches ${k}`);
          assert.deepEqual([r.state(), ar.state()], [rng.state(), augmentRng.state()], `skipBatches ${k}: the streams must end where the full epoch leaves them`);
        }
      });

      test('a bad batch size or skipBatches fails with a coded error', async () => {
        for (const bad of [{ batchSize: 0 }, { batchSize: -2 }, { batchSize: 1.5 }, { skipBatches: -1 }, { skipBatches: 0.5 }]) {
          const request = { ...this.request(Rng.fromSeed(this.seed, 'shuffle'), Rng.fromSeed(this.seed, 'augment')), ...bad };
          await assert.rejects(
            async () => collect(ds, 'train', request),
            (err: unknown) => {
              assert.ok(isUngreedyError(err), `${JSON.stringify(bad)}: expected an UngreedyError, but got ${String(err)}`);
              return true;
            },
          );
        }
      });

      for (const c of cases.invalid ?? []) {
        test(`invalid (${c.name}): ${c.code}${c.pointer ? ` at ${c.pointer}` : ''}`, async () => {
          await assert.rejects(
            async () => {
              const made = (await c.create()) as Partial<Dataset> | undefined;
              await made?.dispose?.();
            },
            (err: unknown) => {
              assert.ok(isUngreedyError(err), `expected an UngreedyError, but got ${String(err)}`);
              assert.equal(err.code, c.code, err.message);
              if (c.pointer) assert.ok(errorPointers(err.data).includes(c.pointer), `expected pointer ${c.pointer} in ${JSON.stringify(err.data)}`);
              return true;
            },
          );
        });
      }

      test('no tensor leaks: creating, iterating every split and disposing leaves tf.memory().numTensors unchanged', async () => {
        const before = tf.memory().numTensors;
        const made = await cases.create();
        try {
          for (const split of SPLITS) await collect(made, split, { batchSize: this.batchSize, shuffle: false, augment: false, rng: Rng.fromSeed(1, 'x') });
          await this.epoch(made, this.seed);
        } finally {
          await made.dispose?.();
        }
        assert.equal(tf.memory().numTensors - before, 0, 'the dataset left tensors behind');
      });

      if (cases.plugin) {
        const plugin = cases.plugin;
        test('plugin manifest: identity, coreApi range, contributions', () => {
          assert.deepEqual(checkPlugin(plugin), []);
          assert.ok(plugin.datasets?.[id], `plugin.datasets["${id}"] must exist`);
        });
      }
    });
  }

  private request(rng: Rng, augmentRng: Rng): BatchRequest {
    return { batchSize: this.batchSize, shuffle: true, augment: this.augment, rng, augmentRng };
  }

  private async epoch(ds: Dataset, seed: number): Promise<Batch[]> {
    return collect(ds, 'train', this.request(Rng.fromSeed(seed, 'shuffle'), Rng.fromSeed(seed, 'augment')));
  }
}

async function collect(ds: Dataset, split: SplitName, request: BatchRequest): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(split, request)) out.push(b);
  return out;
}

function concatIndices(batches: readonly Batch[]): number[] {
  return batches.flatMap((b) => [...b.indices]);
}

/** Bit-for-bit equality of two batch lists (indices, labels, every input), with the first difference named. */
function assertSameBatches(actual: readonly Batch[], expected: readonly Batch[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: batch count`);
  actual.forEach((a, b) => {
    const e = expected[b]!;
    assert.deepEqual([...a.indices], [...e.indices], `${what}: indices of batch ${b}`);
    assert.deepEqual([...a.labels], [...e.labels], `${what}: labels of batch ${b}`);
    assert.equal(a.inputs.length, e.inputs.length, `${what}: inputs of batch ${b}`);
    a.inputs.forEach((x, k) => {
      const y = e.inputs[k]!;
      const same = x.length === y.length && Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
      assert.ok(same, `${what}: input ${k} of batch ${b} differs`);
    });
  });
}

function checkDeclaration(ds: Dataset, sizes: DatasetCases['sizes']): void {
  assert.ok(ds.modalities.length >= 1, 'modalities must not be empty');
  const names = ds.modalities.map((m) => m.name);
  assert.equal(new Set(names).size, names.length, `modality names must be unique: ${names.join(', ')}`);
  for (const m of ds.modalities) {
    assert.ok(typeof m.name === 'string' && m.name.length > 0, 'every modality needs a name');
    assert.ok(m.shape.length >= 1 && m.shape.every((d) => Number.isInteger(d) && d >= 1), `modality ${m.name}: shape must be positive integers, got [${m.shape.join(', ')}]`);
  }
  assert.ok(Number.isInteger(ds.numClasses) && ds.numClasses >= 2, `numClasses must be an integer ≥ 2, got ${ds.numClasses}`);
  if (ds.classNames) assert.equal(ds.classNames.length, ds.numClasses, 'classNames must name every class once');
  for (const split of SPLITS) {
    const indices = ds.indices(split);
    assert.ok(indices instanceof Int32Array, `indices("${split}") must be an Int32Array`);
    assert.equal(ds.size(split), indices.length, `size("${split}") must equal indices("${split}").length`);
    assert.equal(new Set(indices).size, indices.length, `indices("${split}") must not repeat a sample`);
    indices[0] = -12345; // a copy: changing it must not change the dataset
    assert.notEqual(ds.indices(split)[0], -12345, `indices("${split}") must return a copy`);
  }
  assert.ok(ds.size('train') >= 1, 'the train split must not be empty');
  if (sizes) assert.deepEqual({ train: ds.size('train'), val: ds.size('val'), test: ds.size('test') }, { ...sizes }, 'split sizes');
}

function checkContent(ds: Dataset, b: Batch, id: string): void {
  assert.ok(b.indices instanceof Int32Array, 'Batch.indices must be an Int32Array');
  assert.ok(b.labels instanceof Int32Array, 'Batch.labels must be an Int32Array');
  checkBatch(b, { dataset: id, numClasses: ds.numClasses, modalities: ds.modalities });
  b.inputs.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) assert.fail(`input ${k} (${ds.modalities[k]!.name}) has a non-finite value ${x[i]} at ${i}`);
  });
}
