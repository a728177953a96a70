import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../errors.js';
import { Rng } from '../rng/rng.js';
import { setupTestBackend } from '../testing/test-backend.js';
import { hasCheckpoint, loadCheckpoint, readCheckpointFiles, saveCheckpoint, writeCheckpointFiles } from './checkpoint.js';
import { tinyModel } from './fixtures/tiny-model.js';
import { createOptimizer } from './optimizer.js';

before(setupTestBackend);

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ungreedy-ckpt-'));

test('tensors (float32 and int32) and JSON state round-trip bit-exactly', async () => {
  const dir = join(tmp(), 'last');
  const a = tf.tensor2d([[1.5, -2.25e-9], [3.4e38, -0]]);
  const b = tf.tensor1d([7, -3], 'int32');
  await writeCheckpointFiles(dir, new Map<string, tf.Tensor>([['a', a], ['b', b]]), { epoch: 3, lr: 0.1 * 0.3, nested: { x: [1, null] } });
  const { tensors, state } = readCheckpointFiles(dir);
  assert.deepEqual([...tensors.get('a')!.values], [...a.dataSync()]);
  assert.deepEqual(tensors.get('a')!.shape, [2, 2]);
  assert.equal(tensors.get('b')!.dtype, 'int32');
  assert.deepEqual([...tensors.get('b')!.values], [7, -3]);
  assert.deepEqual(state, { epoch: 3, lr: 0.1 * 0.3, nested: { x: [1, null] } });
  tf.dispose([a, b]);
});

test('a rewrite replaces the old checkpoint atomically; an interrupted swap falls back to <dir>.old', async () => {
  const dir = join(tmp(), 'last');
  const t = tf.scalar(1);
  await writeCheckpointFiles(dir, new Map([['t', t]]), { v: 1 });
  await writeCheckpointFiles(dir, new Map([['t', t]]), { v: 2 });
  assert.equal(readCheckpointFiles(dir).state['v'], 2);
  assert.ok(!existsSync(`${dir}.old`));
  // Simulate a crash between the two renames: only <dir>.old holds the checkpoint.
  renameSync(dir, `${dir}.old`);
  assert.ok(hasCheckpoint(dir));
  assert.equal(readCheckpointFiles(dir).state['v'], 2);
  t.dispose();
});

test('truncated, altered or unreadable files are UNG_ERR_CHECKPOINT_CORRUPT', async () => {
  const dir = join(tmp(), 'last');
  const t = tf.tensor1d([1, 2, 3]);
  await writeCheckpointFiles(dir, new Map([['t', t]]), {});
  writeFileSync(join(dir, 'tensors.bin'), Buffer.alloc(4));
  assert.throws(() => readCheckpointFiles(dir), (e) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_CORRUPT') && e.data['dir'] === dir);
  await writeCheckpointFiles(dir, new Map([['t', t]]), {});
  writeFileSync(join(dir, 'index.json'), '{"format": ');
  assert.throws(() => readCheckpointFiles(dir), (e) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_CORRUPT'));
  t.dispose();
});

test('model variables, model state and optimizer slots restore; a different model is UNG_ERR_CHECKPOINT_MISMATCH', async () => {
  const dir = join(tmp(), 'last');
  const make = (seed: number, hidden = 4) =>
    tinyModel({ inputSizes: [3, 2], hidden, numClasses: 2, fusion: true, rng: Rng.fromSeed(seed, 'init') });
  const m1 = make(1);
  const o1 = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false }, m1.variables().filter((v) => v.trainable));
  const g = new Map(m1.variables().filter((v) => v.trainable).map((v) => [v.name, tf.onesLike(v.variable)]));
  o1.step(g);
  tf.dispose([...g.values()]);
  await saveCheckpoint(dir, m1, o1, { progress: { step: 1 } });

  const m2 = make(2);
  const o2 = createOptimizer({ type: 'sgd', lr: 0.5, momentum: 0.9, weightDecay: 0, nesterov: false }, m2.variables().filter((v) => v.trainable));
  const state = loadCheckpoint(dir, m2, o2);
  assert.deepEqual(state['progress'], { step: 1 });
  assert.equal(o2.lr, 0.1);
  for (const [i, v] of m1.variables().entries()) assert.deepEqual([...m2.variables()[i]!.variable.dataSync()], [...v.variable.dataSync()]);
  for (const [name, s] of o1.slots()) assert.deepEqual([...o2.slots().get(name)!.dataSync()], [...s.dataSync()]);

  const other = make(3, 5);
  assert.throws(() => loadCheckpoint(dir, other, null), (e) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_MISMATCH'));
  for (const x of [m1, m2, other]) x.dispose();
  o1.dispose();
  o2.dispose();
});
