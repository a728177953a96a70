import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EncoderInit } from '../config/experiment-config.js';
import { UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';
import type { Logger } from '../../contract/log/logger.js';
import { CHECKPOINT_FORMAT, hasCheckpoint, readCheckpointFiles } from '../run/checkpoint-files.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { Module } from '../../contract/model/module.js';

/** How many names / shape pairs an error's `data` lists. */
const SHOWN = 5;

export type PretrainedFormat = 'checkpoint' | 'tfjs';

/** What was wrong with a weights file: `data.problem` of UNG_ERR_CHECKPOINT_CORRUPT. */
export type PretrainedProblem = 'not-found' | 'unknown-format' | 'unreadable' | 'truncated' | 'unsupported-dtype';

export interface SkippedVariable {
  /** The encoder's variable name (`branch.<k>.…`). */
  readonly name: string;
  readonly reason: 'missing' | 'shape';
  readonly expected: readonly number[];
  /** The file's shape, for `reason: 'shape'`. */
  readonly actual?: readonly number[];
}

/** What {@link loadPretrained} did. */
export interface PretrainedReport {
  readonly encoder: number;
  /** Absolute path that was read. */
  readonly file: string;
  readonly format: PretrainedFormat;
  /** The prefix stripped from the file's names (after resolving the default). */
  readonly sourcePrefix: string;
  /** Names of the encoder variables that were assigned. */
  readonly loaded: readonly string[];
  /** Encoder variables left at their random init (only when `strict: false`). */
  readonly skipped: readonly SkippedVariable[];
  /** File tensors under `sourcePrefix` that match no encoder variable (ignored). */
  readonly unused: readonly string[];
}

export interface LoadPretrainedOptions {
  /** The encoder just created; its variables are overwritten in place. */
  readonly module: Module;
  /** Branch (modality position) of the encoder: its variables are named `branch.<k>.…`. */
  readonly encoder: number;
  readonly init: EncoderInit;
  /** Folder `init.from` is relative to. */
  readonly configDir: string;
  readonly log?: Logger;
  /** JSON pointer of the `init` entry, for messages and `data` (default `/model/encoders/<encoder>/init`). */
  readonly pointer?: string;
}

/** A tensor of the weights file, decoded only when a variable needs it. */
interface SourceTensor {
  readonly shape: readonly number[];
  /** The stored dtype as the file names it (`uint8` etc. for quantized tfjs weights). */
  readonly dtype: string;
  /** Values, or a thrown UNG_ERR_CHECKPOINT_CORRUPT when the dtype is unsupported. */
  read(): Float32Array | Int32Array;
}

interface SourceFile {
  readonly file: string;
  readonly format: PretrainedFormat;
  readonly tensors: ReadonlyMap<string, SourceTensor>;
}

type CorruptError = (problem: PretrainedProblem, reason: string, extra?: Record<string, unknown>, cause?: unknown) => UngreedyError;

/**
 * Overwrites an encoder's variables (trainable weights and buffers such as batch-norm running statistics) with
 * tensors from a file: an ungreedy checkpoint folder or a TensorFlow.js weights manifest with binary shards.
 * File names are matched with variable names after stripping `sourcePrefix` from the file's and `branch.<k>.`
 * from the encoder's. Nothing is assigned unless every needed tensor could be read (all or nothing).
 *
 * - `strict: true`: every encoder variable must be found with the same shape, else UNG_ERR_CHECKPOINT_MISMATCH
 *   (`data: { file, encoder, pointer, sourcePrefix, missing, missingCount, shapes, shapeCount }`, at most 5
 *   names / `{ name, expected, actual }` pairs listed). Extra tensors in the file are ignored (`unused`).
 * - `strict: false`: loads what matches and logs what was skipped; loading nothing at all is still
 *   UNG_ERR_CHECKPOINT_MISMATCH (almost certainly a wrong `sourcePrefix`).
 * - A missing, unreadable, truncated or unsupported file (tfjs dtypes other than float32 / int32, or
 *   quantization other than uint8 / uint16): UNG_ERR_CHECKPOINT_CORRUPT with `data.problem`.
 *
 * @example
 * const report = loadPretrained({ module: encoder, encoder: 1, configDir: '/exp',
 *   init: { from: 'weights/i3d-depth.json', format: 'auto', sourcePrefix: null, strict: true } });
 * report.loaded.length; // every variable of branch 1
 */
export function loadPretrained(options: LoadPretrainedOptions): PretrainedReport {
  const { module, encoder: k, init, configDir, log } = options;
  const pointer = options.pointer ?? `/model/encoders/${k}/init`;
  const file = resolve(configDir, init.from);
  const corrupt: CorruptError = (problem, reason, extra = {}, cause) =>
    new UngreedyError(
      'UNG_ERR_CHECKPOINT_CORRUPT',
      `${pointer}/from (${file}) should be a readable ungreedy checkpoint or TensorFlow.js weights manifest, but ${reason}. ` +
        'Fix the path (relative to the config file) or convert the weights again.',
      { file, encoder: k, pointer, problem, reason, ...extra },
      cause === undefined ? undefined : { cause },
    );
  const source = readSource(file, init.format, corrupt);
  const sourcePrefix = typeof init.sourcePrefix === 'string' ? init.sourcePrefix : defaultPrefix(source, k);
  const byKey = new Map<string, [string, SourceTensor]>();
  for (const [name, t] of source.tensors) {
    if (name.startsWith(sourcePrefix)) byKey.set(name.slice(sourcePrefix.length), [name, t]);
  }

  const ownPrefix = `branch.${k}.`;
  const plan: { variable: tf.Variable; name: string; tensor: SourceTensor }[] = [];
  const skipped: SkippedVariable[] = [];
  const used = new Set<string>();
  for (const v of module.variables()) {
    // Core's encoders prefix every name with `branch.<k>.`; a plugin encoder that did not is matched by full name.
    const key = v.name.startsWith(ownPrefix) ? v.name.slice(ownPrefix.length) : v.name;
    const found = byKey.get(key);
    if (!found) {
      skipped.push({ name: v.name, reason: 'missing', expected: [...v.variable.shape] });
      continue;
    }
    used.add(key);
    const [, tensor] = found;
    if (!sameShape(tensor.shape, v.variable.shape)) {
      skipped.push({ name: v.name, reason: 'shape', expected: [...v.variable.shape], actual: [...tensor.shape] });
      continue;
    }
    plan.push({ variable: v.variable, name: v.name, tensor });
  }
  const unused = [...byKey.keys()].filter((key) => !used.has(key)).map((key) => byKey.get(key)![0]);

  if ((init.strict !== false && skipped.length > 0) || plan.length === 0) {
    const missing = skipped.filter((s) => s.reason === 'missing');
    const shapes = skipped.filter((s) => s.reason === 'shape');
    const first = skipped[0];
    const what =
      plan.length === 0 && skipped.length === 0
        ? 'the encoder has no variables'
        : first === undefined
          ? 'nothing matched'
          : first.reason === 'missing'
            ? `${missing.length} of its ${plan.length + skipped.length} variables are missing (first: "${first.name}" as "${sourcePrefix}${first.name.replace(ownPrefix, '')}")`
            : `"${first.name}" has shape [${first.actual!.join(', ')}] in the file instead of [${first.expected.join(', ')}]`;
    throw new UngreedyError(
      'UNG_ERR_CHECKPOINT_MISMATCH',
      `${pointer}/from (${file}) should hold every variable of encoder ${k} with the same shape, but ${what}. ` +
        'Check the encoder options and `sourcePrefix`, or set `strict: false` to load only what matches.',
      {
        file,
        encoder: k,
        pointer,
        sourcePrefix,
        loadable: plan.length,
        missing: missing.slice(0, SHOWN).map((s) => s.name),
        missingCount: missing.length,
        shapes: shapes.slice(0, SHOWN).map((s) => ({ name: s.name, expected: s.expected, actual: s.actual })),
        shapeCount: shapes.length,
      },
    );
  }

  // Decode everything before assigning anything, so an unsupported tensor leaves the encoder untouched.
  const values = plan.map((p) => {
    const data = p.tensor.read();
    if (data.length !== sizeOf(p.tensor.shape)) {
      throw corrupt('truncated', `tensor "${p.name}" holds ${data.length} values instead of ${sizeOf(p.tensor.shape)}`, { name: p.name });
    }
    return data;
  });
  plan.forEach((p, i) => {
    tf.tidy(() => p.variable.assign(tf.tensor(values[i]!, [...p.variable.shape], p.variable.dtype)));
  });

  const loaded = plan.map((p) => p.name);
  log?.info({ encoder: k, file, format: source.format, sourcePrefix, loaded: loaded.length, skipped: skipped.length, unused: unused.length }, 'pretrained weights loaded');
  if (skipped.length > 0) {
    log?.warn({ encoder: k, file, skipped: skipped.map((s) => ({ name: s.name, reason: s.reason })) }, 'pretrained weights skipped, random init kept');
  }
  return { encoder: k, file, format: source.format, sourcePrefix, loaded, skipped, unused };
}

/** Checkpoints: the same branch of the other run's model. tfjs: the file's own `branch.<j>.` if all names share one. */
function defaultPrefix(source: SourceFile, k: number): string {
  if (source.format === 'checkpoint') return `model/branch.${k}.`;
  const branches = new Set<string>();
  for (const name of source.tensors.keys()) {
    const m = /^branch\.\d+\./.exec(name);
    if (!m) return '';
    branches.add(m[0]);
  }
  return branches.size === 1 ? [...branches][0]! : '';
}

function readSource(file: string, format: EncoderInit['format'], corrupt: CorruptError): SourceFile {
  const isDir = existsSync(file) && statSync(file).isDirectory();
  if (!existsSync(file) && !(format !== 'tfjs' && hasCheckpoint(file))) {
    throw corrupt('not-found', 'it does not exist');
  }
  if (format === 'checkpoint') return readCheckpointSource(isDir || !existsSync(file) ? file : dirname(file), file, corrupt);
  if (format === 'tfjs') return readTfjsSource(isDir ? join(file, 'model.json') : file, corrupt);
  // auto
  if (isDir || !existsSync(file)) {
    if (hasCheckpoint(file)) return readCheckpointSource(file, file, corrupt);
    if (existsSync(join(file, 'model.json'))) return readTfjsSource(join(file, 'model.json'), corrupt);
    // A run folder is a likely slip: name the checkpoint inside it.
    const hint = hasCheckpoint(join(file, 'checkpoints', 'best')) || hasCheckpoint(join(file, 'checkpoints', 'last')) ? ' (it is a run folder: use its checkpoints/best or checkpoints/last)' : '';
    throw corrupt('unknown-format', `the folder holds neither index.json (checkpoint) nor model.json (TensorFlow.js)${hint}`);
  }
  const json = readJson(file, corrupt);
  if (isPlainObject(json) && json['format'] === CHECKPOINT_FORMAT) return readCheckpointSource(dirname(file), file, corrupt);
  if (Array.isArray(json) || (isPlainObject(json) && Array.isArray(json['weightsManifest']))) return tfjsFromJson(file, json, corrupt);
  throw corrupt('unknown-format', `the JSON is neither an ${CHECKPOINT_FORMAT} index nor a TensorFlow.js weights manifest (no "weightsManifest")`);
}

function readCheckpointSource(dir: string, file: string, corrupt: CorruptError): SourceFile {
  try {
    const { tensors } = readCheckpointFiles(dir);
    const out = new Map<string, SourceTensor>();
    for (const [name, t] of tensors) out.set(name, { shape: t.shape, dtype: t.dtype, read: () => t.values });
    return { file, format: 'checkpoint', tensors: out };
  } catch (err) {
    if (!isUngreedyError(err, 'UNG_ERR_CHECKPOINT_CORRUPT')) throw err;
    throw corrupt('unreadable', `the checkpoint is not: ${String(err.data['reason'])}`, {}, err);
  }
}

function readJson(file: string, corrupt: CorruptError): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw corrupt('unreadable', 'it cannot be read as JSON', {}, err);
  }
}

function readTfjsSource(file: string, corrupt: CorruptError): SourceFile {
  if (!existsSync(file)) throw corrupt('not-found', `${file} does not exist`);
  return tfjsFromJson(file, readJson(file, corrupt), corrupt);
}

/** Bytes per stored element, by storage dtype (the quantization dtype when quantized). */
const ELEMENT_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * A TensorFlow.js weights manifest (`model.json`'s `weightsManifest`, or the bare array of
 * `weights_manifest.json`): each group's shards are concatenated and its weights laid out back to back.
 */
function tfjsFromJson(file: string, json: unknown, corrupt: CorruptError): SourceFile {
  const groups: unknown = Array.isArray(json) ? json : (json as Record<string, unknown>)['weightsManifest'];
  if (!Array.isArray(groups)) throw corrupt('unknown-format', '"weightsManifest" is not an array');
  const tensors = new Map<string, SourceTensor>();
  groups.forEach((group: unknown, g) => {
    if (!isPlainObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) {
      throw corrupt('unreadable', `weightsManifest[${g}] lacks "paths" or "weights"`);
    }
    const buffers = group['paths'].map((p: unknown) => {
      const shard = resolve(dirname(file), String(p));
      try {
        return readFileSync(shard);
      } catch (err) {
        throw corrupt('not-found', `its shard ${shard} cannot be read`, { shard }, err);
      }
    });
    const bytes = Buffer.concat(buffers);
    let offset = 0;
    for (const [i, w] of (group['weights'] as unknown[]).entries()) {
      if (!isPlainObject(w) || typeof w['name'] !== 'string' || !Array.isArray(w['shape']) || typeof w['dtype'] !== 'string') {
        throw corrupt('unreadable', `weightsManifest[${g}].weights[${i}] lacks name, shape or dtype`);
      }
      const name = w['name'];
      const shape = (w['shape'] as unknown[]).map(Number);
      const q = isPlainObject(w['quantization']) ? w['quantization'] : undefined;
      const stored = q ? String(q['dtype']) : w['dtype'];
      const width = ELEMENT_BYTES[stored];
      // Without an element size the rest of the group cannot be located (e.g. string tensors).
      if (width === undefined) throw corrupt('unsupported-dtype', `tensor "${name}" has dtype ${stored}, which has no fixed size`, { name, dtype: stored });
      const length = sizeOf(shape) * width;
      if (offset + length > bytes.byteLength) {
        throw corrupt('truncated', `weightsManifest[${g}]'s shards hold ${bytes.byteLength} bytes, fewer than its weights need`, { group: g });
      }
      const view = bytes.subarray(offset, offset + length);
      offset += length;
      tensors.set(name, { shape, dtype: stored, read: () => decode(view, name, w['dtype'] as string, q, corrupt) });
    }
    if (offset !== bytes.byteLength) {
      throw corrupt('truncated', `weightsManifest[${g}]'s shards hold ${bytes.byteLength} bytes, but its weights need ${offset}`, { group: g });
    }
  });
  return { file, format: 'tfjs', tensors };
}

/** float32 and int32 as stored; float32 quantized to uint8/uint16 as `q·scale + min` (tf.io's dequantisation). */
function decode(view: Buffer, name: string, dtype: string, q: Record<string, unknown> | undefined, corrupt: CorruptError): Float32Array | Int32Array {
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  if (!q) {
    if (dtype === 'float32') return new Float32Array(copy.buffer);
    if (dtype === 'int32') return new Int32Array(copy.buffer);
  } else if (dtype === 'float32' && (q['dtype'] === 'uint8' || q['dtype'] === 'uint16')) {
    const scale = Number(q['scale']);
    const min = Number(q['min']);
    const ints = q['dtype'] === 'uint8' ? copy : new Uint16Array(copy.buffer);
    const out = new Float32Array(ints.length);
    for (let i = 0; i < ints.length; i++) out[i] = ints[i]! * scale + min;
    return out;
  }
  const shown = q ? `${dtype} quantized to ${String(q['dtype'])}` : dtype;
  throw corrupt(
    'unsupported-dtype',
    `tensor "${name}" is ${shown}; only float32 (optionally quantized to uint8 or uint16) and int32 are supported`,
    { name, dtype: q ? String(q['dtype']) : dtype },
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
