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

test('writeRunEvents writes strategy metrics of step and epoch records as strategy/step/… and strategy/epoch/… scalars', async () => {
  const { writeRunEvents } = await import('./write-run-events.js');
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-run-events-'));
  const split = { loss: 1, acc: 50, accHeads: [40, 60], samples: 4 };
  const files = writeRunEvents({
    dir,
    dataset: 'tiny',
    label: 'ogm',
    seed: 1,
    kind: 'multi',
    summary: null,
    manifest: null,
    epochs: [
      { type: 'epoch', epoch: 1, lr: 0.1, train: split, val: null, test: null, evalMode: { kind: 'regular' }, stepsByMode: {}, seconds: 1, strategy: { 'ogm/x/rho': 2.5 } },
    ],
    steps: [
      { type: 'step', step: 0, epoch: 1, mode: { kind: 'regular' }, loss: 1, s: [null, null], dSpeed: null, mu: { main: [0, 0], bypass: [0, 0] }, strategy: { 'ogm/x/k': 0.75 } },
    ],
    error: null,
    pending: false,
  } as unknown as Parameters<typeof writeRunEvents>[0]);
  const scalars = files.flatMap((f) => readEventFile(f).scalars).filter((s) => s.tag.startsWith('strategy/'));
  assert.deepEqual(scalars.map((s) => [s.tag, s.step, s.value]).sort(), [
    ['strategy/epoch/ogm/x/rho', 1, 2.5],
    ['strategy/step/ogm/x/k', 0, 0.75],
  ]);
});
