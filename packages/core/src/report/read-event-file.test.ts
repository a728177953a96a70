import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventFile } from './read-event-file.js';
import { TensorBoardWriter } from './tensorboard.js';

test('an event file reads back scalar by scalar, and a flipped byte fails its CRC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-events-'));
  const w = new TensorBoardWriter(dir, 1000);
  for (let step = 0; step < 5; step++) w.scalar('acc/test', 10 * step + 0.5, step, 1000 + step);
  w.scalar('speed/d_speed', -0.25, 7, 1010);
  w.close();
  const file = join(dir, readdirSync(dir)[0]!);
  const read = readEventFile(file);
  assert.equal(read.fileVersion, 'brain.Event:2');
  assert.equal(read.records, 7);
  assert.deepEqual(read.scalars.map((s) => [s.tag, s.step, s.value, s.wallTime]), [
    ...[0, 1, 2, 3, 4].map((s) => ['acc/test', s, 10 * s + 0.5, 1000 + s]),
    ['speed/d_speed', 7, -0.25, 1010],
  ]);
  const bytes = readFileSync(file);
  bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0x01;
  writeFileSync(file, bytes);
  assert.throws(() => readEventFile(file), /bad data CRC/);
  writeFileSync(file, bytes.subarray(0, bytes.length - 3));
  assert.throws(() => readEventFile(file), /torn record/);
});
