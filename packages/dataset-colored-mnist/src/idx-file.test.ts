import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx, readIdxFile } from './idx-file.js';

const labels = Uint8Array.of(5, 0, 4, 1, 9, 2);
const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);

function throwsCode(fn: () => unknown, code: string, data: Record<string, unknown>): void {
  assert.throws(fn, (err: { code?: string; data?: Record<string, unknown> }) => {
    assert.equal(err.code, code);
    for (const [k, v] of Object.entries(data)) assert.deepEqual(err.data?.[k], v, `data.${k}`);
    return true;
  });
}

test('encodeIdx writes the MNIST header and parseIdx reads it back', () => {
  const buf = encodeIdx([3, 2, 2], images);
  assert.deepEqual([...buf.subarray(0, 8)], [0, 0, 8, 3, 0, 0, 0, 3]);
  const parsed = parseIdx(buf, 'images', 3);
  assert.deepEqual(parsed.dims, [3, 2, 2]);
  assert.deepEqual(parsed.data, images);
  assert.deepEqual(parseIdx(encodeIdx([6], labels), 'labels', 1).data, labels);
});

test('a labels file where an images file is expected is a wrong magic number', () => {
  throwsCode(() => parseIdx(encodeIdx([6], labels), 'train-images-idx3-ubyte', 3), 'UNG_ERR_DATASET_CORRUPT', {
    file: 'train-images-idx3-ubyte',
    problem: 'magic',
    expected: 0x803,
    actual: 0x801,
  });
});

test('an HTML page saved under an IDX name is a wrong magic number', () => {
  const html = new TextEncoder().encode('<!DOCTYPE html><html></html>');
  throwsCode(() => parseIdx(html, 'page', 1), 'UNG_ERR_DATASET_CORRUPT', { problem: 'magic', expected: 0x801 });
});

test('truncated headers and truncated data are reported with expected and actual byte counts', () => {
  const buf = encodeIdx([3, 2, 2], images);
  throwsCode(() => parseIdx(buf.subarray(0, 3), 'f', 3), 'UNG_ERR_DATASET_CORRUPT', { problem: 'truncated-header', expectedBytes: 4, actualBytes: 3 });
  throwsCode(() => parseIdx(buf.subarray(0, 10), 'f', 3), 'UNG_ERR_DATASET_CORRUPT', { problem: 'truncated-header', expectedBytes: 16, actualBytes: 10 });
  throwsCode(() => parseIdx(buf.subarray(0, buf.length - 1), 'f', 3), 'UNG_ERR_DATASET_CORRUPT', {
    problem: 'truncated',
    dims: [3, 2, 2],
    expectedBytes: 28,
    actualBytes: 27,
  });
  const longer = new Uint8Array(buf.length + 2);
  longer.set(buf);
  throwsCode(() => parseIdx(longer, 'f', 3), 'UNG_ERR_DATASET_CORRUPT', { problem: 'trailing-bytes', expectedBytes: 28, actualBytes: 30 });
});

test('readIdxFile reads plain and gzipped files alike and rejects broken gzip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmnist-idxfile-'));
  const buf = encodeIdx([3, 2, 2], images);
  writeFileSync(join(dir, 'a-idx3-ubyte'), buf);
  writeFileSync(join(dir, 'a-idx3-ubyte.gz'), gzipSync(buf));
  writeFileSync(join(dir, 'bad-idx3-ubyte.gz'), buf);
  assert.deepEqual((await readIdxFile(join(dir, 'a-idx3-ubyte'), 3)).data, images);
  assert.deepEqual((await readIdxFile(join(dir, 'a-idx3-ubyte.gz'), 3)).data, images);
  await assert.rejects(readIdxFile(join(dir, 'bad-idx3-ubyte.gz'), 3), (err: { code?: string; data?: Record<string, unknown> }) => {
    assert.equal(err.code, 'UNG_ERR_DATASET_CORRUPT');
    assert.deepEqual(err.data, { file: join(dir, 'bad-idx3-ubyte.gz'), problem: 'gzip' });
    return true;
  });
  const truncatedGz = gzipSync(buf.subarray(0, 20));
  writeFileSync(join(dir, 'short-idx3-ubyte.gz'), truncatedGz);
  await assert.rejects(readIdxFile(join(dir, 'short-idx3-ubyte.gz'), 3), { code: 'UNG_ERR_DATASET_CORRUPT' });
});
