import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { Rng } from '../../contract/rng/rng.js';
import { setupTestBackend } from '../../testing/test-backend.js';
import { hasCheckpoint, loadCheckpoint, nodeCheckpointFs, readCheckpointFiles, saveCheckpoint, writeCheckpointFiles, type CheckpointFs } from './checkpoint.js';
import { tempDir } from '../../testing/temp-dir.js';
import { tinyModel } from './fixtures/tiny-model.js';
import { createOptimizer } from './optimizer.js';

before(setupTestBackend);

const tmp = (): string => tempDir('ckpt');

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

class Crash extends Error {}

/** The real file system, cut (a thrown Crash) before its `cut`-th call; counts the calls of an uncut save. */
function crashingFs(cut: number): CheckpointFs & { calls: number } {
  const fs = { calls: 0 } as CheckpointFs & { calls: number };
  for (const key of Object.keys(nodeCheckpointFs) as (keyof CheckpointFs)[]) {
    (fs as unknown as Record<string, unknown>)[key] = (...args: unknown[]): unknown => {
      if (key !== 'exists' && key !== 'list') {
        if (fs.calls === cut) throw new Crash(`crash before call ${cut} (${key})`);
        fs.calls += 1;
      }
      return (nodeCheckpointFs[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return fs;
}

test('a save cut by a crash between any two file-system calls, and a resumed save cut again anywhere, always leaves a loadable checkpoint', async () => {
  const t = tf.scalar(1);
  const save = async (dir: string, v: number, cut = Infinity): Promise<boolean> => {
    try {
      await writeCheckpointFiles(dir, new Map([['t', t]]), { v }, crashingFs(cut));
      return true;
    } catch (err) {
      if (err instanceof Crash) return false;
      throw err;
    }
  };
  const probe = crashingFs(Infinity);
  const seed = join(tmp(), 'last');
  await save(seed, 1);
  await writeCheckpointFiles(seed, new Map([['t', t]]), { v: 2 }, probe);
  const calls = probe.calls;
  assert.ok(calls >= 8, `a save makes ${calls} cut points`);
  const root = tmp();
  let cases = 0;
  for (let first = 0; first <= calls; first++) {
    for (let second = 0; second <= calls + 4; second++) {
      const dir = join(root, `c${first}-${second}`, 'last');
      mkdirSync(join(dir, '..'), { recursive: true });
      await save(dir, 1);
      const firstDone = await save(dir, 2, first);
      const afterFirst = readCheckpointFiles(dir).state['v'];
      assert.ok(firstDone ? afterFirst === 2 : afterFirst === 1 || afterFirst === 2, `cut ${first}: v ${String(afterFirst)}`);
      // The resumed process saves again (the recovery and sweep add calls of their own) and is cut again.
      const secondDone = await save(dir, 3, second);
      const v = readCheckpointFiles(dir).state['v'];
      assert.ok(secondDone ? v === 3 : [afterFirst, 3].includes(v as number), `cuts ${first}/${second}: v ${String(v)}`);
      // And a third, uncut save always succeeds and cleans up after both.
      assert.ok(await save(dir, 4));
      assert.equal(readCheckpointFiles(dir).state['v'], 4);
      assert.deepEqual(readdirSync(join(dir, '..')), ['last']);
      rmSync(join(dir, '..'), { recursive: true, force: true });
      cases += 1;
    }
  }
  assert.equal(cases, (calls + 1) * (calls + 5));
  t.dispose();
});

test('a save sweeps the checkpoint temps of dead processes and keeps those of live ones', async () => {
  const parent = tmp();
  const dir = join(parent, 'last');
  const t = tf.scalar(1);
  await writeCheckpointFiles(dir, new Map([['t', t]]), { v: 1 });
  cpSync(dir, join(parent, 'last.tmp-999999999'), { recursive: true });
  cpSync(dir, join(parent, `last.tmp-${process.ppid}`), { recursive: true });
  await writeCheckpointFiles(dir, new Map([['t', t]]), { v: 2 });
  assert.deepEqual(readdirSync(parent).sort(), ['last', `last.tmp-${process.ppid}`]);
  t.dispose();
});
