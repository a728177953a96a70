import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from './progress.js';
import { silentLog } from './test-fixtures/helpers.js';

test('draws a redrawn bar on a terminal and ends the line', () => {
  const writes: string[] = [];
  const stream = { isTTY: true, write: (s: string) => writes.push(s) };
  const p = new Progress('render', 4, { stream });
  for (let i = 0; i < 4; i++) p.update();
  p.finish();
  assert.match(writes[0]!, /^\rrender \[#{8}\.{22}\] 1\/4 /);
  assert.match(writes.at(-2)!, /^\rrender \[#{30}\] 4\/4 /, 'the last item is always drawn');
  assert.equal(writes.at(-1), '\n');
});

test('logs a line per tenth instead when the stream is not a terminal', () => {
  const lines: unknown[] = [];
  const log = Object.assign(Object.create(silentLog), { info: (fields: unknown) => lines.push(fields) });
  const p = new Progress('decode', 20, { stream: { isTTY: false, write: () => assert.fail('no bar off a terminal') }, log });
  for (let i = 0; i < 20; i++) p.update();
  assert.equal(lines.length, 10);
  assert.deepEqual(lines.at(-1), { task: 'decode', done: 20, total: 20 });
});
