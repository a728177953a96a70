// The checkpoint folder's file format (index.json + tensors.bin), crash-safe writes and reads. What goes into a
// checkpoint (model variables, optimizer slots, trainer state) is the trainer's: trainer/checkpoint.ts.
import type * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pidAlive } from '../util/pid-alive.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonObject } from '../../contract/util/json.js';
import { fsyncFolder, writeFileSynced } from '../../contract/util/atomic-write.js';

/** Version of the on-disk layout; bump on an incompatible change. */
export const CHECKPOINT_FORMAT = 'ungreedy.checkpoint';
export const CHECKPOINT_VERSION = 1;

const INDEX = 'index.json';
const BIN = 'tensors.bin';

interface TensorEntry {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly offset: number;
  readonly byteLength: number;
}

interface CheckpointIndex {
  readonly format: string;
  readonly version: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly tensors: TensorEntry[];
  readonly state: JsonObject;
}

/** A tensor as read from disk, not yet on any backend. */
export interface StoredTensor {
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly values: Float32Array | Int32Array;
}

/**
 * Writes a checkpoint folder: `tensors.bin` (every tensor's raw little-endian bytes, back to back) and `index.json`
 * (names, dtypes, shapes, offsets, a SHA-256 of the bytes, and the JSON `state`). Atomic: the folder is written
 * beside the target, fsynced, and swapped in by rename, so a crash leaves either the old or the new checkpoint
 * (`readCheckpointFiles` falls back to `<dir>.old` if the crash hit between the two renames).
 */
export async function writeCheckpointFiles(
  dir: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  state: JsonObject,
  fs: CheckpointFs = nodeCheckpointFs,
): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new Error(`checkpoint tensor "${name}" must be float32 or int32, but is ${t.dtype}`);
    }
    const values = (await t.data()) as Float32Array | Int32Array;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    chunks.push(Buffer.from(bytes));
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, byteLength: bytes.byteLength });
    offset += bytes.byteLength;
  }
  const bin = Buffer.concat(chunks);
  const index: CheckpointIndex = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    bytes: bin.byteLength,
    sha256: createHash('sha256').update(bin).digest('hex'),
    tensors: entries,
    state,
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old`;
  recoverInterruptedSwap(dir, fs);
  sweepStaleTemps(dir, fs);
  fs.rm(tmp);
  fs.mkdir(tmp);
  fs.writeFile(join(tmp, BIN), bin);
  fs.writeFile(join(tmp, INDEX), Buffer.from(JSON.stringify(index)));
  fs.fsyncDir(tmp);
  // From here one complete checkpoint is always loadable: `dir` (complete, see recoverInterruptedSwap), or
  // `old` between the two renames (the loader falls back to it), then the new `dir`.
  fs.rm(old);
  if (fs.exists(dir)) fs.rename(dir, old);
  fs.rename(tmp, dir);
  fs.fsyncDir(dirname(dir));
  fs.rm(old);
}

/**
 * The file-system calls of a checkpoint save, injectable so a test can cut the save after any of them (a crash);
 * see checkpoint.test.ts.
 */
export interface CheckpointFs {
  rm(path: string): void;
  mkdir(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
  fsyncDir(path: string): void;
  rename(from: string, to: string): void;
  exists(path: string): boolean;
  list(dir: string): string[];
}

export const nodeCheckpointFs: CheckpointFs = {
  rm: (path) => rmSync(path, { recursive: true, force: true }),
  mkdir: (path) => mkdirSync(path, { recursive: true }),
  writeFile: writeFileSynced,
  fsyncDir: fsyncFolder,
  rename: renameSync,
  exists: existsSync,
  list: (dir) => (existsSync(dir) ? readdirSync(dir) : []),
};

/**
 * A crash between the two renames of a save leaves no `dir` (or one without its index) and a complete `old`.
 * Put `old` back before anything else: the save below removes `old` first, which would otherwise leave
 * nothing loadable if it crashed again before its own rename.
 */
function recoverInterruptedSwap(dir: string, fs: CheckpointFs): void {
  const old = `${dir}.old`;
  if (!fs.exists(join(dir, INDEX)) && fs.exists(join(old, INDEX))) {
    fs.rm(dir);
    fs.rename(old, dir);
    fs.fsyncDir(dirname(dir));
  }
}

/** Removes `<dir>.tmp-<pid>` folders left by saves of processes that are gone (a killed run). */
function sweepStaleTemps(dir: string, fs: CheckpointFs): void {
  const prefix = `${basename(dir)}.tmp-`;
  for (const name of fs.list(dirname(dir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (pid !== process.pid && !pidAlive(pid)) fs.rm(join(dirname(dir), name));
  }
}

/** Whether `dir` (or its `.old` twin left by an interrupted swap) holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, INDEX)) || existsSync(join(`${dir}.old`, INDEX));
}

/** The JSON `state` of a checkpoint without reading its tensors (`UNG_ERR_CHECKPOINT_CORRUPT` if unreadable). */
export function readCheckpointState(dir: string): JsonObject {
  const from = existsSync(join(dir, INDEX)) ? dir : `${dir}.old`;
  try {
    return (JSON.parse(readFileSync(join(from, INDEX), 'utf8')) as CheckpointIndex).state;
  } catch (err) {
    throw new UngreedyError(
      'UNG_ERR_CHECKPOINT_CORRUPT',
      `checkpoint ${dir} should be complete and consistent, but ${INDEX} cannot be read as JSON. Resume from another checkpoint or start a new run.`,
      { dir, reason: `${INDEX} cannot be read as JSON` },
      { cause: err },
    );
  }
}

/** Reads and verifies a checkpoint folder; throws `UNG_ERR_CHECKPOINT_CORRUPT` on any inconsistency. */
export function readCheckpointFiles(dir: string): { tensors: Map<string, StoredTensor>; state: JsonObject } {
  const from = existsSync(join(dir, INDEX)) ? dir : `${dir}.old`;
  const corrupt = (reason: string, cause?: unknown): UngreedyError =>
    new UngreedyError(
      'UNG_ERR_CHECKPOINT_CORRUPT',
      `checkpoint ${dir} should be complete and consistent, but ${reason}. Resume from another checkpoint or start a new run.`,
      { dir, reason },
      { cause },
    );
  let index: CheckpointIndex;
  let bin: Buffer;
  try {
    index = JSON.parse(readFileSync(join(from, INDEX), 'utf8')) as CheckpointIndex;
  } catch (err) {
    throw corrupt(`${INDEX} cannot be read as JSON`, err);
  }
  if (index.format !== CHECKPOINT_FORMAT || index.version !== CHECKPOINT_VERSION) {
    throw corrupt(`${INDEX} has format ${String(index.format)} v${String(index.version)}`);
  }
  try {
    bin = readFileSync(join(from, BIN));
  } catch (err) {
    throw corrupt(`${BIN} cannot be read`, err);
  }
  if (bin.byteLength !== index.bytes) throw corrupt(`${BIN} has ${bin.byteLength} bytes instead of ${index.bytes}`);
  if (createHash('sha256').update(bin).digest('hex') !== index.sha256) throw corrupt(`${BIN} fails its SHA-256 check`);
  const tensors = new Map<string, StoredTensor>();
  for (const e of index.tensors) {
    const copy = new Uint8Array(e.byteLength);
    copy.set(bin.subarray(e.offset, e.offset + e.byteLength));
    const values = e.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    if (values.length !== e.shape.reduce((a, b) => a * b, 1)) throw corrupt(`tensor "${e.name}" has the wrong size`);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, values });
  }
  return { tensors, state: index.state };
}
