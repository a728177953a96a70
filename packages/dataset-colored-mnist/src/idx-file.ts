import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { UngreedyError } from '@ungreedy/core';

/** A decoded IDX array of unsigned bytes (the only element type MNIST uses). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** IDX element type code of unsigned bytes. */
const UBYTE = 0x08;

/**
 * Decodes an IDX buffer (the format of the MNIST files: two zero bytes, a type code, the number of
 * dimensions, one big-endian uint32 per dimension, then the elements). Only unsigned-byte arrays
 * are accepted. `file` names the source in errors; `expectedDims` is the rank the caller needs
 * (3 for images, 1 for labels), checked through the magic number as MNIST readers do.
 *
 * @example
 * parseIdx(encodeIdx([2], Uint8Array.of(3, 7)), 'labels', 1).data; // Uint8Array [3, 7]
 */
export function parseIdx(buf: Uint8Array, file: string, expectedDims: number): IdxArray {
  const expectedMagic = (UBYTE << 8) | expectedDims;
  if (buf.length < 4) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `IDX file ${file} should start with a 4-byte header, but got ${buf.length} bytes. Fix: download the file again.`,
      { file, problem: 'truncated-header', expectedBytes: 4, actualBytes: buf.length },
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectedMagic) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `IDX file ${file} should have magic number ${expectedMagic} (0x${hex(expectedMagic)}: unsigned bytes, ` +
        `${expectedDims} dimensions), but got ${magic} (0x${hex(magic)}). ` +
        'Fix: check that the file is the right MNIST file (images: idx3, labels: idx1) and not an HTML page or a swapped file.',
      { file, problem: 'magic', expected: expectedMagic, actual: magic },
    );
  }
  const headerBytes = 4 + 4 * expectedDims;
  if (buf.length < headerBytes) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `IDX file ${file} should have a ${headerBytes}-byte header, but got ${buf.length} bytes. Fix: download the file again.`,
      { file, problem: 'truncated-header', expectedBytes: headerBytes, actualBytes: buf.length },
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < expectedDims; i++) dims.push(view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count;
  if (buf.length !== expectedBytes) {
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `IDX file ${file} with dimensions [${dims.join(', ')}] should be ${expectedBytes} bytes long, but got ` +
        `${buf.length}. Fix: the file is ${buf.length < expectedBytes ? 'truncated' : 'longer than its header says'}; download it again.`,
      { file, problem: buf.length < expectedBytes ? 'truncated' : 'trailing-bytes', dims, expectedBytes, actualBytes: buf.length },
    );
  }
  return { dims, data: buf.subarray(headerBytes) };
}

/** Encodes unsigned bytes as an IDX buffer (writes small MNIST-layout files for tests and tools). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/** Reads an IDX file from disk, gunzipping it first when its name ends in `.gz`. */
export async function readIdxFile(path: string, expectedDims: number): Promise<IdxArray> {
  let raw: Uint8Array = await readFile(path);
  if (path.endsWith('.gz')) {
    try {
      raw = gunzipSync(raw);
    } catch (cause) {
      throw new UngreedyError(
        'UNG_ERR_DATASET_CORRUPT',
        `IDX file ${path} should be valid gzip data, but got a gzip error (${(cause as Error).message}). ` +
          'Fix: download the file again, or store it uncompressed without the .gz suffix.',
        { file: path, problem: 'gzip' },
        { cause },
      );
    }
  }
  // A plain Uint8Array view (not a Buffer), so callers and tests see one array type.
  return parseIdx(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), path, expectedDims);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
