import { join } from 'node:path';
import type { Rng } from '../rng/rng.js';
import type { Logger } from '../log/logger.js';

export type SplitName = 'train' | 'val' | 'test';

/** One input modality: its name and per-sample shape, channels last ([H, W, C], [T, H, W, C] or [F]). */
export interface ModalitySpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * A minibatch as plain typed arrays. The trainer turns it into tensors (and frees them), so a dataset never
 * owns a tensor and cannot leak one. `indices` are the dataset's own sample ids within the split's source:
 * the utilization metric averages fusion statistics over exactly the training indices.
 */
export interface Batch {
  readonly indices: Int32Array;
  /** One array per modality, [size, ...modality.shape] in row-major order, float32. */
  readonly inputs: readonly Float32Array[];
  /** Class ids in [0, numClasses). */
  readonly labels: Int32Array;
  readonly size: number;
}

/** How the trainer asks for a split's batches. */
export interface BatchRequest {
  readonly batchSize: number;
  /** Shuffle the order (training); evaluation passes keep the stored order. */
  readonly shuffle: boolean;
  /** Apply training-time augmentation; never true for val/test unless a dataset documents otherwise. */
  readonly augment: boolean;
  /** Stream to draw the order from (and augmentation, when `augmentRng` is absent); checkpointed by the trainer. */
  readonly rng: Rng;
  /**
   * Stream to draw augmentation from. The trainer passes a per-epoch fork of the run's `augment` stream, so adding
   * an augmentation never changes the batch order; datasets fall back to `rng` when it is absent.
   */
  readonly augmentRng?: Rng;
  /** Skip this many leading batches of the epoch: how a mid-epoch resume re-enters the same order. */
  readonly skipBatches?: number;
}

/**
 * A multi-modal classification dataset with fixed train / val / test splits.
 * Splits are decided when the dataset is created (from the data stream of the run's RNG or from index files),
 * so `size` is known before training starts and the config can be checked against it.
 */
export interface Dataset {
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  size(split: SplitName): number;
  /** The split's sample indices in stored order (what `Batch.indices` refers to). */
  indices(split: SplitName): Int32Array;
  batches(split: SplitName, request: BatchRequest): AsyncIterable<Batch>;
  /** Facts worth keeping in the run manifest (source files, checksums, skipped samples). */
  describe?(): Record<string, unknown>;
  dispose?(): Promise<void> | void;
}

/** What a dataset's `create` receives besides its options. */
export interface DatasetContext {
  /** The run's `data` stream: use it (not Math.random) for splits and sample generation. */
  readonly rng: Rng;
  readonly log: Logger;
  /** Folder of the config file: resolve relative paths in options against it. */
  readonly configDir: string;
  /** A writable cache folder shared across runs (decoded images, clip caches). */
  readonly cacheDir: string;
  /**
   * Aborted when the user stops the run (Ctrl-C, SIGTERM) or its compare parent goes away. A first load that
   * takes long (rendering, decoding into a cache) checks it between files, leaves only whole files behind and
   * rejects with `signal.reason`; the run then ends `interrupted` with nothing trained (packages/core/docs/faults.md).
   */
  readonly signal?: AbortSignal;
}

/** What a dataset contribution's `describe` receives: where its files are, nothing to create tensors with. */
export interface DescribeContext {
  /** Folder of the config file: resolve relative paths in options against it. */
  readonly configDir: string;
  /** The cache folder `create` would get (read it, never write it). */
  readonly cacheDir: string;
}

/**
 * What a dataset will hold with given options, found cheaply (file listings, headers, index files; no
 * decoding, no tensors, no writes), so `ungreedy validate` and `run` can check a config against it before a
 * run folder exists. Core checks modality indices, the encoder count and empty splits against it; the
 * dataset reports its own option problems (missing data root, more samples asked than exist) in `problems`.
 */
export interface DatasetDescription {
  readonly modalities: readonly ModalitySpec[];
  readonly numClasses: number;
  /** Samples each split will hold with these options, where known without loading data. */
  readonly sizes?: Partial<Readonly<Record<SplitName, number>>>;
  /** Problems with the options, each at a JSON pointer into the dataset's options (`/root`, `/trainSize`). */
  readonly problems?: readonly { readonly pointer: string; readonly message: string; readonly value?: unknown }[];
}

/** The cache folder of a config's datasets: `$UNGREEDY_CACHE_DIR`, else `<configDir>/.cache`. */
export function datasetCacheDir(configDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env['UNGREEDY_CACHE_DIR'] ?? join(configDir, '.cache');
}
