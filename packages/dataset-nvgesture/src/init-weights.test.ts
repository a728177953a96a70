import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel, isUngreedyError, loadPlugins, Rng, saveCheckpoint } from '@ungreedy/core';
import type { ExperimentConfig } from '@ungreedy/core';
import { silentLogger } from '@ungreedy/core/testing';
import { initFromWeights, readWeights, saveWeightsManifest } from './init-weights.js';
import { tempDir } from './test-fixtures/fixtures.js';

type MultiModalModel = Awaited<ReturnType<typeof buildModel>>;

const MODEL: ExperimentConfig['model'] = {
  modalities: null,
  encoders: [{ use: 'cnn3d', options: { channels: [3, 4], kernel: 3, batchNorm: true, pool: [1, 2, 2] } }],
  fusion: { use: 'mmtm', options: {}, after: [1] },
};
const MODALITIES = [
  { name: 'rgb', shape: [2, 8, 8, 3] },
  { name: 'depth', shape: [2, 8, 8, 1] },
];

async function model(seed: number): Promise<MultiModalModel> {
  const registry = await loadPlugins({ specifiers: [], configDir: '.' });
  return buildModel({ model: MODEL, modalities: MODALITIES, numClasses: 3, registry, rng: Rng.fromSeed(seed, 'init'), log: silentLogger() });
}

function values(m: MultiModalModel, prefix: string): Map<string, number[]> {
  return new Map(m.variables().filter((v) => v.name.startsWith(prefix)).map((v) => [v.name, Array.from(v.variable.dataSync())]));
}

describe('initFromWeights', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  let source: MultiModalModel;
  before(async () => {
    await tf.setBackend('cpu');
    ({ dir, cleanup } = await tempDir());
    source = await model(1);
  });
  after(async () => {
    source.dispose();
    await cleanup();
  });

  it('initialises one encoder from a TensorFlow.js weights manifest and leaves the rest alone', async () => {
    const file = join(dir, 'rgb.json');
    await saveWeightsManifest(source, file, 'branch.0.');
    assert.equal((await readWeights(file)).size, values(source, 'branch.0.').size);
    const target = await model(2);
    const untouched = values(target, 'branch.1.');
    const before = tf.memory().numTensors;
    const res = await initFromWeights(target, file, { prefix: 'branch.0.', strict: true });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(res.missing, []);
    assert.equal(res.assigned.length, values(source, 'branch.0.').size);
    assert.deepEqual(values(target, 'branch.0.'), values(source, 'branch.0.'));
    assert.deepEqual(values(target, 'branch.1.'), untouched);
    target.dispose();
  });

  it('reads an ungreedy checkpoint, and can take one branch\'s weights for another', async () => {
    const ckpt = join(dir, 'ckpt');
    await saveCheckpoint(ckpt, source, null, {});
    const target = await model(3);
    await initFromWeights(target, ckpt, { prefix: '', strict: true });
    assert.deepEqual(values(target, ''), values(source, ''));
    // Depth's first conv has 1 input channel, rgb's 3: reading depth from rgb's names fails on that shape only.
    await assert.rejects(
      initFromWeights(target, ckpt, { prefix: 'branch.1.', strict: true, storedName: (n) => n.replace('branch.1.', 'branch.0.') }),
      (e: unknown) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_MISMATCH') && e.data.name === 'branch.1.conv1.weight',
    );
    target.dispose();
  });

  it('refuses missing variables when strict, and changes nothing on a mismatch', async () => {
    const file = join(dir, 'rgb-only.json');
    await saveWeightsManifest(source, file, 'branch.0.');
    const target = await model(4);
    const original = values(target, '');
    await assert.rejects(initFromWeights(target, file, { prefix: '', strict: true }), (e: unknown) => {
      assert.ok(isUngreedyError(e, 'UNG_ERR_CHECKPOINT_MISMATCH'));
      assert.ok((e.data.missing as string[]).includes('branch.1.conv1.weight'));
      return true;
    });
    assert.deepEqual(values(target, ''), original);
    const loose = await initFromWeights(target, file, { prefix: '', strict: false });
    assert.ok(loose.missing.includes('branch.1.conv1.weight'));
    assert.deepEqual(values(target, 'branch.0.'), values(source, 'branch.0.'));
    target.dispose();
  });

  it('refuses a file that is not a weights manifest', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"hello": 1}');
    const target = await model(5);
    await assert.rejects(initFromWeights(target, file, { prefix: '', strict: true }), (e: unknown) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_CORRUPT'));
    await assert.rejects(initFromWeights(target, join(dir, 'nope.json'), { prefix: '', strict: true }), (e: unknown) => isUngreedyError(e, 'UNG_ERR_CHECKPOINT_CORRUPT'));
    target.dispose();
  });
});
