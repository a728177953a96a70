import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pino } from 'pino';
import type { EncoderChoice, EncoderInit, ExperimentConfig } from '../config/experiment-config.js';
import { checkCoreConfig } from '../config/validate-config.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { Rng } from '../../contract/rng/rng.js';
import { saveCheckpoint, writeCheckpointFiles } from '../trainer/checkpoint.js';
import { buildModel } from './build-model.js';
import { REGULAR } from '../../contract/model/fusion-block.js';
import { loadPretrained, type PretrainedReport } from './load-pretrained.js';
import type { Module } from '../../contract/model/module.js';
import type { MultiModalModel } from './multimodal-model.js';
import { builtinRegistry } from './testing/model-fixtures.js';
import { setupTestBackend } from '../../testing/test-backend.js';

const tmp = mkdtempSync(join(tmpdir(), 'ungreedy-pretrained-'));
before(setupTestBackend);
after(() => rmSync(tmp, { recursive: true, force: true }));

const CNN = { use: 'cnn', options: { channels: [3, 4] } };
const init = (from: string, more: Partial<EncoderInit> = {}): EncoderInit => ({ from, format: 'auto', sourcePrefix: null, strict: true, ...more });

/** Two 6×6×1 modalities, tiny CNN encoders with batch norm, MMTM after both stages. */
function build(seed: number, encoders: readonly EncoderChoice[] = [CNN], extra: { loadPretrained?: boolean } = {}): Promise<MultiModalModel> {
  const model: ExperimentConfig['model'] = { modalities: null, encoders, fusion: { use: 'mmtm', options: {}, after: [0, 1] } };
  return buildModel({
    model,
    modalities: [
      { name: 'a', shape: [6, 6, 1] },
      { name: 'b', shape: [6, 6, 1] },
    ],
    numClasses: 3,
    registry: builtinRegistry(),
    rng: Rng.fromSeed(seed, 'init'),
    log: pino({ level: 'silent' }),
    configDir: tmp,
    ...extra,
  });
}

/** Variable values by name, for the variables whose name starts with `prefix`. */
function values(model: MultiModalModel, prefix: string): Map<string, number[]> {
  return new Map(model.variables().filter((v) => v.name.startsWith(prefix)).map((v) => [v.name, Array.from(v.variable.dataSync())]));
}

/** `values` with `from` replaced by `to` in the names, to compare one branch with another. */
function renamed(map: Map<string, number[]>, from: string, to: string): Map<string, number[]> {
  return new Map([...map].map(([k, v]) => [k.replace(from, to), v]));
}

/** One branch of a model as a Module, so loadPretrained can be called on it directly. */
function branch(model: MultiModalModel, k: number): Module {
  return { variables: () => model.variables().filter((v) => v.name.startsWith(`branch.${k}.`)), dispose: () => undefined };
}

/** Branch k's variables as name (without `branch.<k>.`) → tensor, for writing files by hand. */
function branchTensors(model: MultiModalModel, k: number, prefix = ''): Map<string, tf.Tensor> {
  return new Map(model.variables().filter((v) => v.name.startsWith(`branch.${k}.`)).map((v) => [prefix + v.name.slice(`branch.${k}.`.length), v.variable]));
}

interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
  readonly dtype?: string;
  readonly quantization?: Record<string, unknown>;
}

const float32Entries = (tensors: Map<string, tf.Tensor>): ManifestEntry[] =>
  [...tensors].map(([name, t]) => {
    const data = t.dataSync() as Float32Array;
    return { name, shape: t.shape, bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
  });

/** Writes a TensorFlow.js model.json whose single weight group is split into shards at the given byte offsets. */
function writeTfjs(dir: string, entries: readonly ManifestEntry[], cuts: readonly number[] = [], file = 'model.json'): string {
  mkdirSync(dir, { recursive: true });
  const all = Buffer.concat(entries.map((e) => e.bytes));
  const bounds = [0, ...cuts, all.byteLength];
  const paths = bounds.slice(1).map((end, i) => {
    const path = `group1-shard${i + 1}of${bounds.length - 1}.bin`;
    writeFileSync(join(dir, path), all.subarray(bounds[i], end));
    return path;
  });
  const weights = entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype ?? 'float32', ...(e.quantization ? { quantization: e.quantization } : {}) }));
  writeFileSync(join(dir, file), JSON.stringify({ format: 'weights-manifest', weightsManifest: [{ paths, weights }] }));
  return join(dir, file);
}

function expectError(fn: () => unknown, code: 'UNG_ERR_CHECKPOINT_CORRUPT' | 'UNG_ERR_CHECKPOINT_MISMATCH'): Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    assert.ok(isUngreedyError(err, code), String(err));
    return err.data as Record<string, unknown>;
  }
  assert.fail(`expected ${code}`);
}

async function expectRejects(p: Promise<unknown>, code: 'UNG_ERR_CHECKPOINT_CORRUPT' | 'UNG_ERR_CHECKPOINT_MISMATCH'): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(isUngreedyError(err, code), String(err));
    return err.data as Record<string, unknown>;
  }
  assert.fail(`expected ${code}`);
}

let source: MultiModalModel;
before(async () => {
  // Node 20 runs a file's top-level before hooks concurrently, so this one cannot rely on the one above.
  await setupTestBackend();
  source = await build(1);
  // As if trained: every value (batch-norm scales and running statistics included) moves away from its init.
  const noise = Rng.fromSeed(11, 'noise');
  for (const v of source.variables()) {
    const delta = noise.fillNormal(new Float32Array(v.variable.size), 0, 0.5);
    tf.tidy(() => v.variable.assign(tf.add(v.variable, tf.tensor(delta, v.variable.shape))));
  }
  await saveCheckpoint(join(tmp, 'run1', 'last'), source, null, { note: 'source' });
});
after(() => source.dispose());

test('a checkpoint initialises every encoder; heads and fusion blocks keep their own seeded init', async () => {
  const loaded = await build(2, [{ ...CNN, init: init('run1/last') }]);
  const scratch = await build(2);
  assert.deepEqual(values(loaded, 'branch.'), values(source, 'branch.'));
  assert.notDeepEqual(values(scratch, 'branch.'), values(source, 'branch.'));
  for (const prefix of ['head.', 'fusion.']) {
    assert.deepEqual(values(loaded, prefix), values(scratch, prefix), prefix);
    assert.notDeepEqual(values(loaded, prefix), values(source, prefix), prefix);
  }
  // Batch-norm running statistics are buffers (not trainable) and come from the file too.
  const name = 'branch.1.bn1.running_var';
  assert.equal(loaded.variables().find((v) => v.name === name)?.trainable, false);
  assert.deepEqual(values(loaded, name).get(name), values(source, name).get(name));
  assert.notDeepEqual(values(scratch, name).get(name), values(source, name).get(name));
  loaded.dispose();
  scratch.dispose();
});

test('sourcePrefix takes another branch of the checkpoint; an entry without init stays random', async () => {
  const loaded = await build(2, [CNN, { ...CNN, init: init('run1/last', { format: 'checkpoint', sourcePrefix: 'model/branch.0.' }) }]);
  const scratch = await build(2);
  assert.deepEqual(values(loaded, 'branch.1.'), renamed(values(source, 'branch.0.'), 'branch.0.', 'branch.1.'));
  assert.deepEqual(values(loaded, 'branch.0.'), values(scratch, 'branch.0.'));
  loaded.dispose();
  scratch.dispose();
});

test('strict: a missing name or a different shape is UNG_ERR_CHECKPOINT_MISMATCH and nothing is assigned', async () => {
  const tensors = branchTensors(source, 0, 'model/branch.0.');
  const names = [...tensors.keys()];
  const dropped = names[names.length - 1]!;
  const reshaped = names[0]!;
  const partial = new Map(tensors);
  partial.delete(dropped);
  await writeCheckpointFiles(join(tmp, 'partial'), partial, {});
  const wrongShape = new Map(tensors);
  const bad = tf.zeros([2, 2]);
  wrongShape.set(reshaped, bad);
  await writeCheckpointFiles(join(tmp, 'wrong-shape'), wrongShape, {});
  bad.dispose();

  const target = await build(3);
  const before = values(target, 'branch.0.');
  const missing = expectError(() => loadPretrained({ module: branch(target, 0), encoder: 0, init: init('partial'), configDir: tmp }), 'UNG_ERR_CHECKPOINT_MISMATCH');
  assert.equal(missing['file'], join(tmp, 'partial'));
  assert.equal(missing['encoder'], 0);
  assert.deepEqual(missing['missing'], [dropped.replace('model/', '')]);
  assert.equal(missing['missingCount'], 1);
  assert.deepEqual(missing['shapes'], []);
  const shape = expectError(() => loadPretrained({ module: branch(target, 0), encoder: 0, init: init('wrong-shape'), configDir: tmp }), 'UNG_ERR_CHECKPOINT_MISMATCH');
  const expected = [...tensors.get(reshaped)!.shape];
  assert.deepEqual(shape['shapes'], [{ name: reshaped.replace('model/', ''), expected, actual: [2, 2] }]);
  assert.equal(shape['missingCount'], 0);
  assert.deepEqual(values(target, 'branch.0.'), before);

  // Through buildModel, with the pointer of the config entry; the half-built model is disposed.
  const data = await expectRejects(build(3, [CNN, { ...CNN, init: init('partial', { sourcePrefix: 'model/branch.0.' }) }]), 'UNG_ERR_CHECKPOINT_MISMATCH');
  assert.equal(data['pointer'], '/model/encoders/1/init');
  assert.deepEqual(data['missing'], [dropped.replace('model/branch.0.', 'branch.1.')]);
  target.dispose();
});

test('strict: false loads what matches and reports what was skipped; loading nothing is still refused', async () => {
  const tensors = branchTensors(source, 0, 'model/branch.0.');
  const names = [...tensors.keys()];
  const target = await build(3);
  const before = values(target, 'branch.0.');
  const report = loadPretrained({ module: branch(target, 0), encoder: 0, init: init('wrong-shape', { strict: false }), configDir: tmp });
  const reshaped = names[0]!.replace('model/', '');
  assert.deepEqual(report.skipped, [{ name: reshaped, reason: 'shape', expected: [...tensors.get(names[0]!)!.shape], actual: [2, 2] }]);
  assert.equal(report.loaded.length, names.length - 1);
  const after = values(target, 'branch.0.');
  const want = values(source, 'branch.0.');
  for (const [name, v] of after) assert.deepEqual(v, name === reshaped ? before.get(name) : want.get(name), name);

  const missing = loadPretrained({ module: branch(target, 1), encoder: 1, init: init('partial', { strict: false, sourcePrefix: 'model/branch.0.' }), configDir: tmp });
  assert.deepEqual(missing.skipped.map((s) => s.reason), ['missing']);
  assert.equal(missing.loaded.length, names.length - 1);

  const none = expectError(
    () => loadPretrained({ module: branch(target, 0), encoder: 0, init: init('partial', { strict: false, sourcePrefix: 'model/branch.7.' }), configDir: tmp }),
    'UNG_ERR_CHECKPOINT_MISMATCH',
  );
  assert.equal(none['loadable'], 0);
  assert.equal(none['missingCount'], names.length);
  target.dispose();
});

test('a TensorFlow.js weights manifest with two shards (cut inside a tensor) loads by name; extra tensors are unused', async () => {
  const entries = float32Entries(branchTensors(source, 0));
  const logits = { name: 'logits.weight', shape: [2], bytes: new Uint8Array(new Float32Array([1, 2]).buffer) };
  writeTfjs(join(tmp, 'tfjs2'), [...entries, logits], [10]);
  assert.equal(readFileSync(join(tmp, 'tfjs2', 'group1-shard1of2.bin')).byteLength, 10);
  const target = await build(4);
  const start = tf.memory().numTensors;
  // A folder holding model.json; names carry no prefix, so any branch can take them.
  const report: PretrainedReport = loadPretrained({ module: branch(target, 1), encoder: 1, init: init('tfjs2'), configDir: tmp });
  assert.equal(tf.memory().numTensors, start);
  assert.equal(report.format, 'tfjs');
  assert.equal(report.sourcePrefix, '');
  assert.deepEqual(report.unused, ['logits.weight']);
  assert.equal(report.loaded.length, entries.length);
  assert.deepEqual(values(target, 'branch.1.'), renamed(values(source, 'branch.0.'), 'branch.0.', 'branch.1.'));
  target.dispose();
});

test('tfjs names with one common branch.<j>. prefix (the nvgesture converter\'s) are matched by default', async () => {
  const file = writeTfjs(join(tmp, 'tfjs-prefixed'), float32Entries(branchTensors(source, 0, 'branch.0.')), [], 'i3d-depth.json');
  const loaded = await build(5, [CNN, { ...CNN, init: init('tfjs-prefixed/i3d-depth.json', { format: 'tfjs' }) }]);
  assert.deepEqual(values(loaded, 'branch.1.'), renamed(values(source, 'branch.0.'), 'branch.0.', 'branch.1.'));
  const target = await build(5);
  const report = loadPretrained({ module: branch(target, 1), encoder: 1, init: init(file), configDir: '/nowhere' });
  assert.equal(report.sourcePrefix, 'branch.0.');
  loaded.dispose();
  target.dispose();
});

test('uint8 and uint16 quantized float32 weights are dequantized as q·scale + min', async () => {
  const tensors = branchTensors(source, 0);
  const entries = float32Entries(tensors);
  const [name8, name16] = [entries[0]!.name, entries[1]!.name];
  const quantize = (name: string, dtype: 'uint8' | 'uint16'): { entry: ManifestEntry; want: number[] } => {
    const v = tensors.get(name)!.dataSync() as Float32Array;
    const min = Math.min(...v);
    const scale = (Math.max(...v) - min) / (dtype === 'uint8' ? 255 : 65535) || 1;
    const level = (x: number): number => Math.round((x - min) / scale);
    const q = dtype === 'uint8' ? Uint8Array.from(v, level) : Uint16Array.from(v, level);
    const want = Array.from(Float32Array.from(q, (x) => x * scale + min));
    for (let i = 0; i < v.length; i++) assert.ok(Math.abs(want[i]! - v[i]!) <= scale / 2 + 1e-6);
    return { entry: { name, shape: tensors.get(name)!.shape, bytes: new Uint8Array(q.buffer), quantization: { dtype, scale, min } }, want };
  };
  const q8 = quantize(name8, 'uint8');
  const q16 = quantize(name16, 'uint16');
  writeTfjs(join(tmp, 'quantized'), [q8.entry, q16.entry, ...entries.slice(2)], [3]);
  const target = await build(6);
  loadPretrained({ module: branch(target, 0), encoder: 0, init: init('quantized/model.json'), configDir: tmp });
  const got = values(target, 'branch.0.');
  assert.deepEqual(got.get(`branch.0.${name8}`), q8.want);
  assert.deepEqual(got.get(`branch.0.${name16}`), q16.want);
  assert.deepEqual(got.get(`branch.0.${entries[2]!.name}`), values(source, 'branch.0.').get(`branch.0.${entries[2]!.name}`));
  target.dispose();
});

test('unsupported dtypes are refused (UNG_ERR_CHECKPOINT_CORRUPT) before anything is assigned, unless unused', async () => {
  const entries = float32Entries(branchTensors(source, 0));
  const first = entries[0]!;
  const half = { ...first, bytes: new Uint8Array(first.bytes.byteLength / 2), quantization: { dtype: 'float16' } };
  writeTfjs(join(tmp, 'float16'), [...entries.slice(1), half]);
  const target = await build(7);
  const before = values(target, 'branch.0.');
  const data = expectError(() => loadPretrained({ module: branch(target, 0), encoder: 0, init: init('float16'), configDir: tmp }), 'UNG_ERR_CHECKPOINT_CORRUPT');
  assert.equal(data['problem'], 'unsupported-dtype');
  assert.equal(data['name'], first.name);
  assert.equal(data['dtype'], 'float16');
  assert.deepEqual(values(target, 'branch.0.'), before);

  const complex = { name: 'extra.c', shape: [1], bytes: new Uint8Array(8), dtype: 'complex64' };
  writeTfjs(join(tmp, 'unused-complex'), [...entries, complex]);
  const report = loadPretrained({ module: branch(target, 0), encoder: 0, init: init('unused-complex'), configDir: tmp });
  assert.deepEqual(report.unused, ['extra.c']);

  writeTfjs(join(tmp, 'string'), [{ name: 'vocab', shape: [1], bytes: new Uint8Array(4), dtype: 'string' }, ...entries]);
  const str = expectError(() => loadPretrained({ module: branch(target, 0), encoder: 0, init: init('string'), configDir: tmp }), 'UNG_ERR_CHECKPOINT_CORRUPT');
  assert.deepEqual([str['problem'], str['name'], str['dtype']], ['unsupported-dtype', 'vocab', 'string']);
  target.dispose();
});

test('missing, truncated, altered and unrecognised files are UNG_ERR_CHECKPOINT_CORRUPT with the problem', async () => {
  const target = await build(8);
  const load = (from: string, more: Partial<EncoderInit> = {}): Record<string, unknown> =>
    expectError(() => loadPretrained({ module: branch(target, 0), encoder: 0, init: init(from, more), configDir: tmp }), 'UNG_ERR_CHECKPOINT_CORRUPT');
  const missing = load('no/such/weights.json');
  assert.deepEqual([missing['problem'], missing['file'], missing['encoder']], ['not-found', join(tmp, 'no/such/weights.json'), 0]);
  assert.equal(load('tfjs2', { format: 'checkpoint' })['problem'], 'unreadable');
  assert.equal(load('run1', { format: 'tfjs' })['problem'], 'not-found');
  assert.equal(load('run1')['problem'], 'unknown-format');

  const entries = float32Entries(branchTensors(source, 0));
  writeTfjs(join(tmp, 'short'), entries, [8]);
  writeFileSync(join(tmp, 'short', 'group1-shard2of2.bin'), Buffer.alloc(4));
  assert.equal(load('short')['problem'], 'truncated');
  writeTfjs(join(tmp, 'long'), entries);
  writeFileSync(join(tmp, 'long', 'group1-shard1of1.bin'), Buffer.concat([readFileSync(join(tmp, 'long', 'group1-shard1of1.bin')), Buffer.alloc(4)]));
  assert.equal(load('long')['problem'], 'truncated');
  writeTfjs(join(tmp, 'no-shard'), entries);
  rmSync(join(tmp, 'no-shard', 'group1-shard1of1.bin'));
  assert.equal(load('no-shard')['problem'], 'not-found');

  await saveCheckpoint(join(tmp, 'altered'), source, null, {});
  const bin = readFileSync(join(tmp, 'altered', 'tensors.bin'));
  bin[0] = bin[0]! ^ 1;
  writeFileSync(join(tmp, 'altered', 'tensors.bin'), bin);
  assert.equal(load('altered')['problem'], 'unreadable');

  writeFileSync(join(tmp, 'other.json'), JSON.stringify({ modelTopology: {} }));
  assert.equal(load('other.json')['problem'], 'unknown-format');
  writeFileSync(join(tmp, 'broken.json'), '{"weightsManifest": [');
  assert.equal(load('broken.json')['problem'], 'unreadable');
  target.dispose();
});

test('buildModel resolves `from` against configDir and skips the file with loadPretrained: false', async () => {
  const absent = [{ ...CNN, init: init('gone/checkpoint') }];
  const data = await expectRejects(build(9, absent), 'UNG_ERR_CHECKPOINT_CORRUPT');
  assert.equal(data['file'], join(tmp, 'gone/checkpoint'));
  const model = await build(9, absent, { loadPretrained: false });
  const scratch = await build(9);
  assert.deepEqual(values(model, ''), values(scratch, ''));
  model.dispose();
  scratch.dispose();
});

test('a config entry with only `from` gets the schema defaults and builds the initialised model', async () => {
  const { config, issues } = checkCoreConfig({
    name: 'x',
    dataset: { use: 'any' },
    model: { encoders: [{ ...CNN, init: { from: 'run1/last' } }], fusion: { use: 'mmtm', after: [0, 1] } },
  });
  assert.deepEqual(issues, []);
  const model = (config as unknown as ExperimentConfig).model;
  assert.deepEqual(model.encoders[0]!.init, init('run1/last'));
  const loaded = await build(10, model.encoders);
  assert.deepEqual(values(loaded, 'branch.'), values(source, 'branch.'));
  loaded.dispose();
});

interface TorchArr {
  readonly shape: number[];
  readonly f32: string;
}

test('PyTorch I3D weights converted to a tfjs manifest (nvgesture README naming) reproduce PyTorch\'s features', async () => {
  // Parameters and stage outputs of pytorch-i3d's network at width 1/32, from testing/fixtures/make-torch-reference.py.
  const fixture = JSON.parse(readFileSync(new URL('./testing/fixtures/torch-reference.json', import.meta.url), 'utf8')) as {
    i3d: { params: Record<string, TorchArr>; input: TorchArr; evalStages: TorchArr[] };
  };
  const { params, input, evalStages } = fixture.i3d;
  const bytes = (a: TorchArr): Uint8Array => new Uint8Array(Buffer.from(a.f32, 'base64'));
  writeTfjs(
    join(tmp, 'i3d'),
    Object.entries(params).map(([name, a]) => ({ name, shape: a.shape, bytes: bytes(a) })),
    [4096],
    'i3d-rgb.json',
  );
  const model = await buildModel({
    model: { modalities: null, encoders: [{ use: 'i3d', options: { width: 1 / 32 }, init: init('i3d/i3d-rgb.json') }], fusion: { use: 'late', options: {}, after: [] } },
    modalities: [{ name: 'rgb', shape: input.shape.slice(1) }],
    numClasses: 3,
    registry: builtinRegistry(),
    rng: Rng.fromSeed(12, 'init'),
    log: pino({ level: 'silent' }),
    configDir: tmp,
  });
  const last = evalStages[evalStages.length - 1]!;
  const x = tf.tensor(new Float32Array(bytes(input).buffer), input.shape);
  const stage = tf.tensor(new Float32Array(bytes(last).buffer), last.shape);
  const out = model.forward([x], { training: false, mode: REGULAR });
  // The features are the global average of the last stage (mixed_5c) over time and space.
  const want = tf.mean(stage, [1, 2, 3]);
  const worst = tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(out.features[0]!, want)), tf.add(1, tf.abs(want)))).dataSync()[0]!);
  assert.ok(worst < 1e-4, `max relative error ${worst}`);
  tf.dispose([x, stage, want, out.fused, ...out.heads, ...out.features]);
  model.dispose();
});
