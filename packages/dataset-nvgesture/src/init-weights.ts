import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpointFiles, UngreedyError } from '@ungreedy/core';
import type { Module } from '@ungreedy/core';

/** One stored tensor, not yet on any backend. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** One entry of a TensorFlow.js weights manifest group. */
interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

interface ManifestGroup {
  readonly paths: string[];
  readonly weights: WeightSpec[];
}

function corrupt(source: string, reason: string): UngreedyError {
  return new UngreedyError(
    'UNG_ERR_CHECKPOINT_CORRUPT',
    `weights "${source}" should be a TensorFlow.js weights manifest or an ungreedy checkpoint folder, but ${reason}.`,
    { source, reason },
  );
}

/**
 * Reads named float32 tensors from a TensorFlow.js weights manifest (`model.json` with `weightsManifest`, or
 * a bare `weights_manifest.json` array; shards relative to it) or from an ungreedy checkpoint folder (its
 * `model/` tensors, without that prefix).
 */
export async function readWeights(source: string): Promise<Map<string, WeightTensor>> {
  if (!existsSync(source)) {
    throw new UngreedyError('UNG_ERR_CHECKPOINT_CORRUPT', `weights "${source}" should exist, but it does not. Fix the path.`, { source, reason: 'missing' });
  }
  const out = new Map<string, WeightTensor>();
  if (statSync(source).isDirectory()) {
    for (const [name, t] of readCheckpointFiles(source).tensors) {
      if (name.startsWith('model/') && t.dtype === 'float32') out.set(name.slice('model/'.length), { shape: t.shape, values: t.values as Float32Array });
    }
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(source, 'utf8'));
  } catch {
    throw corrupt(source, 'it is not JSON');
  }
  const groups = (Array.isArray(json) ? json : (json as { weightsManifest?: unknown }).weightsManifest) as ManifestGroup[] | undefined;
  if (!Array.isArray(groups)) throw corrupt(source, 'it has no weightsManifest');
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(source), p))));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32') throw corrupt(source, `weight "${spec.name}" is ${spec.dtype} (only float32 is read)`);
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > bytes.length) throw corrupt(source, `its shards end before weight "${spec.name}"`);
      const values = new Float32Array(n);
      Buffer.from(values.buffer).set(bytes.subarray(offset, offset + 4 * n));
      out.set(spec.name, { shape: spec.shape, values });
      offset += 4 * n;
    }
  }
  return out;
}

/** Options of {@link initFromWeights}. */
export interface InitWeightsOptions {
  /** Only model variables whose names start with this are initialised, e.g. `branch.0.` (one encoder); '' = all. */
  readonly prefix: string;
  /** Maps a model variable's name to the stored name to read it from (default: the same name). */
  readonly storedName?: (variable: string) => string;
  /** Require every selected variable to be in the file (otherwise the missing ones keep their random init). */
  readonly strict: boolean;
}

/**
 * Initialises a model's variables from a weights file, by name: the "pretrained" start (README, "Pretrained
 * start"). Core's config has no field for it, so pass it to `trainExperiment` through its `buildModel` option:
 *
 * @example
 * await trainExperiment({ ...options, buildModel: async (o) => {
 *   const model = await buildModel(o);
 *   await initFromWeights(model, 'i3d-rgb.json', { prefix: 'branch.0.', strict: true });
 *   await initFromWeights(model, 'i3d-depth.json', { prefix: 'branch.1.', strict: true });
 *   return model;
 * } });
 *
 * A stored tensor whose shape differs from its variable's, or (strict) a selected variable missing from the
 * file, is UNG_ERR_CHECKPOINT_MISMATCH, and then no variable has been changed.
 */
export async function initFromWeights(
  model: Module,
  source: string,
  options: InitWeightsOptions,
): Promise<{ readonly assigned: string[]; readonly missing: string[] }> {
  const stored = await readWeights(source);
  const selected = model.variables().filter((v) => v.name.startsWith(options.prefix));
  const plan: Array<[tf.Variable, WeightTensor]> = [];
  const missing: string[] = [];
  for (const v of selected) {
    const key = options.storedName ? options.storedName(v.name) : v.name;
    const t = stored.get(key);
    if (!t) {
      missing.push(v.name);
      continue;
    }
    if (t.shape.join(',') !== v.variable.shape.join(',')) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `weights "${source}" should hold "${key}" with shape [${v.variable.shape.join(', ')}], but it has [${t.shape.join(', ')}]. ` +
          'Fix: convert weights for this encoder and its options (e.g. i3d width 1).',
        { source, name: v.name, expected: [...v.variable.shape], actual: [...t.shape] },
      );
    }
    plan.push([v.variable, t]);
  }
  if (selected.length === 0 || (options.strict && missing.length > 0)) {
    throw new UngreedyError(
      'UNG_ERR_CHECKPOINT_MISMATCH',
      `weights "${source}" should hold every model variable under "${options.prefix}", but ` +
        `${selected.length === 0 ? 'the model has none' : `${missing.length} are missing (first: ${missing[0]})`}.`,
      { source, prefix: options.prefix, missing },
    );
  }
  for (const [variable, t] of plan) tf.tidy(() => variable.assign(tf.tensor(t.values, [...t.shape], 'float32')));
  return { assigned: plan.map(([v]) => v.name), missing };
}

/**
 * Writes a model's variables under `prefix` as a TensorFlow.js weights manifest (`<file>` + one `.bin` shard
 * beside it), the format {@link initFromWeights} reads; e.g. to start another run's encoder from this one's.
 */
export async function saveWeightsManifest(model: Module, file: string, prefix = ''): Promise<void> {
  const specs: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const v of model.variables().filter((x) => x.name.startsWith(prefix))) {
    const values = (await v.variable.data()) as Float32Array;
    specs.push({ name: v.name, shape: [...v.variable.shape], dtype: 'float32' });
    chunks.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  const shard = `${basename(file).replace(/\.json$/, '')}.bin`;
  await writeFile(join(dirname(file), shard), Buffer.concat(chunks));
  await writeFile(file, `${JSON.stringify({ format: 'weights-manifest', weightsManifest: [{ paths: [shard], weights: specs }] })}\n`);
}
