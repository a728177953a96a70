import { UngreedyError } from '../errors/errors.js';
import type { Batch, BatchRequest, ModalitySpec } from './dataset.js';

/** What happens to a last batch smaller than `batchSize`: yielded as it is (every shipped dataset), or left out. */
export type LastBatchPolicy = 'keep' | 'drop';

export interface BatchOrderOptions {
  /** Names the dataset in error messages, e.g. `colored-mnist`. */
  readonly dataset: string;
  /** Default `keep`: the epoch has ⌈n / batchSize⌉ batches, the last one possibly smaller. */
  readonly lastBatch?: LastBatchPolicy;
}

/**
 * One epoch's batch order over a split of `n` samples, fixed when it is made. The shuffle is the Fisher-Yates
 * permutation of `0..n-1` drawn from `request.rng` (`Rng.permutation`), taken before anything else the dataset
 * draws for the epoch. Shuffling a split's own id array in place with `rng.shuffle` makes the same swaps, so
 * `ids[positions[i]]` is exactly the order that gives: datasets that kept ids and datasets that kept positions get
 * the same order from one seed. Positions index the split's stored order (what `Dataset.indices(split)` returns).
 */
export class BatchOrder {
  /** Split positions in epoch order (length n; the dropped tail, if any, is still here but never batched). */
  readonly positions: Int32Array;
  readonly batchSize: number;
  /** Batches in the epoch (skipped ones included). */
  readonly count: number;
  /** The first batch to yield: `request.skipBatches`, at most `count`. */
  readonly first: number;

  private constructor(positions: Int32Array, batchSize: number, count: number, first: number) {
    this.positions = positions;
    this.batchSize = batchSize;
    this.count = count;
    this.first = first;
  }

  /**
   * Checks the request (coded `UNG_ERR_CONFIG_INVALID` for a batch size that is not a positive integer or a
   * `skipBatches` that is not a non-negative integer) and draws the order now, from `request.rng` when
   * `request.shuffle`, else the stored order.
   */
  static draw(n: number, request: BatchRequest, options: BatchOrderOptions): BatchOrder {
    const { batchSize } = request;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `${options.dataset} batch size should be a positive integer, but got ${batchSize}. Fix: set train.batchSize / train.evalBatchSize.`,
        { dataset: options.dataset, batchSize },
      );
    }
    const skip = request.skipBatches ?? 0;
    if (!Number.isInteger(skip) || skip < 0) {
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `${options.dataset} skipBatches should be a non-negative integer, but got ${skip}. Fix: resume from a checkpoint written by the trainer.`,
        { dataset: options.dataset, skipBatches: skip },
      );
    }
    const positions = request.shuffle ? Int32Array.from(request.rng.permutation(n)) : Int32Array.from({ length: n }, (_, i) => i);
    const count = (options.lastBatch ?? 'keep') === 'drop' ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
    return new BatchOrder(positions, batchSize, count, Math.min(skip, count));
  }

  /** The split positions of batch `b` (a view, do not modify). */
  batch(b: number): Int32Array {
    const start = b * this.batchSize;
    return this.positions.subarray(start, Math.min(this.positions.length, start + this.batchSize));
  }
}

/** What {@link checkBatch} compares a batch against: the dataset's declaration. */
export interface BatchSpec {
  readonly dataset: string;
  readonly numClasses: number;
  readonly modalities: readonly ModalitySpec[];
}

/**
 * Checks a batch against its dataset's declaration: `size` matches the indices and labels, one input per modality
 * of `size × prod(shape)` floats, labels integers in [0, numClasses). A label out of range would otherwise become
 * an all-zero one-hot row and train silently on nothing. Throws `UNG_ERR_DATASET_CORRUPT` naming the field.
 */
export function checkBatch(batch: Batch, spec: BatchSpec): void {
  const bad = (field: string, expectation: string, got: unknown): never => {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `${spec.dataset} produced a batch whose ${field} should be ${expectation}, but got ${JSON.stringify(got)}. Fix: the dataset's files or its batch code are inconsistent; rebuild its cache or report the bug.`,
      { dataset: spec.dataset, field, value: got },
    );
  };
  const { size } = batch;
  if (!Number.isInteger(size) || size < 1) bad('size', 'a positive integer', size);
  if (batch.indices.length !== size) bad('indices', `${size} entries`, batch.indices.length);
  if (batch.labels.length !== size) bad('labels', `${size} entries`, batch.labels.length);
  if (batch.inputs.length !== spec.modalities.length) bad('inputs', `${spec.modalities.length} arrays (one per modality)`, batch.inputs.length);
  spec.modalities.forEach((m, k) => {
    const want = size * m.shape.reduce((a, b) => a * b, 1);
    const input = batch.inputs[k]!;
    if (!(input instanceof Float32Array)) bad(`inputs[${k}]`, 'a Float32Array', Object.prototype.toString.call(input));
    if (input.length !== want) bad(`inputs[${k}] (${m.name})`, `${want} floats ([${size}, ${m.shape.join(', ')}])`, input.length);
  });
  for (let i = 0; i < size; i++) {
    const y = batch.labels[i]!;
    if (y < 0 || y >= spec.numClasses) bad(`labels[${i}]`, `a class id in [0, ${spec.numClasses})`, y);
  }
}

export interface StreamOptions {
  /** Checks every batch with {@link checkBatch} before it is yielded. */
  readonly check?: BatchSpec;
  /** Batches loaded ahead of the one being consumed (default 0: one at a time). Never changes a batch's content. */
  readonly prefetch?: number;
  /**
   * Called synchronously, in order, for every skipped batch before the first load: a dataset that draws per batch
   * (crops, windows) draws here for the batches a resume skips, so the rest of the epoch gets the same numbers.
   */
  readonly skipped?: (positions: Int32Array, b: number) => void;
}

/**
 * The batches `order.first..order.count-1`, each built by `load` from its split positions. `load` is called
 * synchronously in batch order (any per-batch random draw it makes before its first `await` is in order, however
 * far prefetching runs ahead); its promise may run in the background while earlier batches are consumed.
 * Iterating the result twice replays the same order (no new draws).
 */
export function streamBatches(
  order: BatchOrder,
  load: (positions: Int32Array, b: number) => Batch | Promise<Batch>,
  options: StreamOptions = {},
): AsyncIterable<Batch> {
  const prefetch = options.prefetch ?? 0;
  return {
    async *[Symbol.asyncIterator]() {
      for (let b = 0; b < order.first; b++) options.skipped?.(order.batch(b), b);
      const queue: Promise<Batch>[] = [];
      let next = order.first;
      const fill = (): void => {
        while (queue.length <= prefetch && next < order.count) {
          const b = next++;
          const p = Promise.resolve(load(order.batch(b), b));
          // Surfaced when awaited; this only keeps an abandoned iteration from raising an unhandled rejection.
          p.catch(() => undefined);
          queue.push(p);
        }
      };
      fill();
      while (queue.length > 0) {
        const batch = await queue.shift()!;
        if (options.check) checkBatch(batch, options.check);
        fill();
        yield batch;
      }
    },
  };
}
