import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../errors/errors.js';
import { Rng } from '../rng/rng.js';
import { BatchOrder, checkBatch, streamBatches, type BatchSpec } from './batch-iterator.js';
import type { Batch, BatchRequest } from './dataset.js';

const request = (overrides: Partial<BatchRequest> = {}): BatchRequest => ({
  batchSize: 4,
  shuffle: true,
  augment: false,
  rng: Rng.fromSeed(3, 'shuffle'),
  ...overrides,
});

const spec: BatchSpec = { dataset: 'test', numClasses: 3, modalities: [{ name: 'a', shape: [2] }] };

function batchOf(positions: Int32Array): Batch {
  const size = positions.length;
  return {
    indices: Int32Array.from(positions),
    labels: Int32Array.from(positions, (p) => p % 3),
    inputs: [Float32Array.from({ length: 2 * size }, (_, i) => positions[i >> 1]!)],
    size,
  };
}

async function collect(it: AsyncIterable<Batch>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of it) out.push([...b.indices]);
  return out;
}

test('a shuffled order maps split ids exactly as shuffling the id array in place with the same stream', () => {
  const ids = [40, 7, 13, 2, 99, 5, 31, 8, 17, 60, 3];
  const inPlace = Rng.fromSeed(9, 'shuffle').shuffle([...ids]);
  const order = BatchOrder.draw(ids.length, request({ rng: Rng.fromSeed(9, 'shuffle') }), { dataset: 'test' });
  assert.deepEqual(Array.from(order.positions, (p) => ids[p]), inPlace);
  // Both consume the same draws: the streams are in the same state afterwards.
  const a = Rng.fromSeed(9, 'shuffle');
  a.shuffle([...ids]);
  const b = Rng.fromSeed(9, 'shuffle');
  BatchOrder.draw(ids.length, request({ rng: b }), { dataset: 'test' });
  assert.deepEqual(b.state(), a.state());
});

test('stored order draws nothing; the last batch is kept or dropped as asked', async () => {
  const rng = Rng.fromSeed(1, 'shuffle');
  const before = rng.state();
  const keep = BatchOrder.draw(10, request({ shuffle: false, rng }), { dataset: 'test' });
  assert.deepEqual(rng.state(), before);
  assert.deepEqual(await collect(streamBatches(keep, batchOf)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const drop = BatchOrder.draw(10, request({ shuffle: false }), { dataset: 'test', lastBatch: 'drop' });
  assert.equal(drop.count, 2);
  assert.deepEqual(await collect(streamBatches(drop, batchOf)), [[0, 1, 2, 3], [4, 5, 6, 7]]);
});

test('skipBatches yields exactly the tail of the full epoch, and the skipped hook sees the skipped batches in order', async () => {
  const full = await collect(streamBatches(BatchOrder.draw(23, request(), { dataset: 'test' }), batchOf));
  for (const skip of [0, 1, 3, 6, 9]) {
    const seen: number[] = [];
    const order = BatchOrder.draw(23, request({ skipBatches: skip }), { dataset: 'test' });
    const rest = await collect(streamBatches(order, batchOf, { skipped: (_, b) => seen.push(b) }));
    assert.deepEqual(rest, full.slice(skip), `skip ${skip}`);
    assert.deepEqual(seen, Array.from({ length: Math.min(skip, full.length) }, (_, b) => b));
  }
});

test('prefetching loads in batch order and never changes the batches; iterating twice replays the same order', async () => {
  const order = BatchOrder.draw(30, request(), { dataset: 'test' });
  const plain = await collect(streamBatches(order, batchOf));
  for (const prefetch of [1, 3, 10]) {
    const calls: number[] = [];
    const load = async (positions: Int32Array, b: number): Promise<Batch> => {
      calls.push(b);
      await new Promise((r) => setTimeout(r, (b * 7) % 3));
      return batchOf(positions);
    };
    const stream = streamBatches(order, load, { prefetch });
    assert.deepEqual(await collect(stream), plain);
    assert.deepEqual(calls, [...plain.keys()]);
    assert.deepEqual(await collect(stream), plain);
  }
});

test('bad requests fail with UNG_ERR_CONFIG_INVALID naming the dataset', () => {
  for (const bad of [{ batchSize: 0 }, { batchSize: 2.5 }, { skipBatches: -1 }, { skipBatches: 1.5 }]) {
    assert.throws(
      () => BatchOrder.draw(10, request(bad), { dataset: 'my-set' }),
      (err: unknown) => isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID') && err.message.includes('my-set'),
      JSON.stringify(bad),
    );
  }
});

test('checkBatch refuses labels out of range, wrong input sizes and inconsistent sizes, naming the field', async () => {
  const good = batchOf(Int32Array.from([0, 1, 2]));
  checkBatch(good, spec);
  const cases: [Batch, string][] = [
    [{ ...good, labels: Int32Array.from([0, 3, 1]) }, 'labels[1]'],
    [{ ...good, labels: Int32Array.from([0, -1, 1]) }, 'labels[1]'],
    [{ ...good, inputs: [new Float32Array(5)] }, 'inputs[0] (a)'],
    [{ ...good, inputs: [] }, 'inputs'],
    [{ ...good, indices: new Int32Array(2) }, 'indices'],
    [{ ...good, size: 0 }, 'size'],
  ];
  for (const [batch, field] of cases) {
    assert.throws(
      () => checkBatch(batch, spec),
      (err: unknown) => isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT') && err.data['field'] === field,
      field,
    );
  }
  // A stream with `check` refuses the bad batch when it reaches it.
  const order = BatchOrder.draw(6, request({ shuffle: false, batchSize: 3 }), { dataset: 'test' });
  const broken = (positions: Int32Array, b: number): Batch => (b === 1 ? { ...batchOf(positions), labels: Int32Array.from([0, 9, 0]) } : batchOf(positions));
  await assert.rejects(collect(streamBatches(order, broken, { check: spec })), (err: unknown) => isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT'));
});
