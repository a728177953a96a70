import type { Dataset, SplitName } from '../contract/data/dataset.js';
import { Rng } from '../contract/rng/rng.js';

/**
 * The sample ids of consecutive shuffled epochs (augmentation on) drawn from one `shuffle` stream of `seed`, as
 * the trainer draws them: what a dataset's pinned batch-order test compares with the ids it recorded, so a change
 * of batch iteration that would move every published result (the quickstart table) fails it.
 *
 * @example
 * assert.deepEqual(await shuffledEpochs(ds, 'train', { seed: 11, batchSize: 4 }), [PIN_FIRST, PIN_SECOND]);
 */
export async function shuffledEpochs(
  ds: Dataset,
  split: SplitName,
  options: { readonly seed: number; readonly batchSize: number; readonly epochs?: number },
): Promise<number[][]> {
  const rng = Rng.fromSeed(options.seed, 'shuffle');
  const epochs: number[][] = [];
  for (let e = 0; e < (options.epochs ?? 2); e++) {
    const ids: number[] = [];
    for await (const b of ds.batches(split, { batchSize: options.batchSize, shuffle: true, augment: true, rng })) ids.push(...b.indices);
    epochs.push(ids);
  }
  return epochs;
}
