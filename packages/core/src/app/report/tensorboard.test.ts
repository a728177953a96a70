import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TensorBoardWriter, crc32c, encodeEvent, maskedCrc32c } from './tensorboard.js';

test('CRC-32C of the standard check string is 0xE3069283', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('the masked CRC of an empty record is the value TensorFlow writes', () => {
  // TensorFlow's masked CRC of zero bytes: mask(0) = 0xa282ead8.
  assert.equal(maskedCrc32c(new Uint8Array(0)), 0xa282ead8);
});

test('an event with a scalar encodes wall_time, step and summary fields as protobuf', () => {
  const bytes = encodeEvent({ wallTime: 1.5, step: 300, scalar: { tag: 'acc', value: 0.5 } });
  assert.equal(bytes[0], 0x09); // field 1, fixed64
  assert.equal(new DataView(bytes.buffer).getFloat64(1, true), 1.5);
  assert.deepEqual([...bytes.subarray(9, 12)], [0x10, 0xac, 0x02]); // field 2 varint 300
  assert.equal(bytes[12], 0x2a); // field 5, length-delimited
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(text.includes('acc'));
});

test('the writer frames records so a reader can walk and verify them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-'));
  try {
    const w = new TensorBoardWriter(dir, 1000);
    w.scalar('loss', 2.25, 1, 1001);
    w.scalar('loss', 1.5, 2, 1002);
    w.close();
    const buf = readFileSync(w.file);
    let off = 0;
    let records = 0;
    while (off < buf.length) {
      const len = buf.readUInt32LE(off);
      assert.equal(buf.readUInt32LE(off + 8), maskedCrc32c(buf.subarray(off, off + 8)));
      const data = buf.subarray(off + 12, off + 12 + len);
      assert.equal(buf.readUInt32LE(off + 12 + len), maskedCrc32c(data));
      off += 16 + len;
      records++;
    }
    assert.equal(records, 3);
    assert.equal(off, buf.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
