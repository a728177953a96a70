import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createProgress } from './progress.js';
import { fakeClock } from './fixtures/experiment.js';

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

test("'bar' redraws one line per step with steps/s, loss and ETA, and ends it after the epoch", () => {
  const out = sink();
  const p = createProgress('bar', pino({ level: 'silent' }), fakeClock(), out.stream);
  for (let i = 0; i < 4; i++) p.step({ epoch: 2, epochs: 5, stepInEpoch: i, stepsPerEpoch: 4, loss: 1.23456 });
  p.epochTrained();
  const lines = out.text().split('\r').filter((l) => l.length > 0);
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^epoch 2\/5 \[#{6}-{18}\] 1\/4 [\d.]+ steps\/s loss 1\.2346 ETA \d+s/);
  assert.match(lines[3]!, /\[#{24}\] 4\/4 .* ETA 0s\s*\n$/);
});

test("'lines' logs progress about every 10 % of an epoch; 'none' prints nothing", () => {
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, done) => (logged.push(JSON.parse(String(c))), done()) }));
  const p = createProgress('lines', log, fakeClock());
  for (let i = 0; i < 20; i++) p.step({ epoch: 1, epochs: 1, stepInEpoch: i, stepsPerEpoch: 20, loss: 0.5 });
  assert.equal(logged.length, 10);
  assert.equal(logged[0]!['msg'], 'training progress');
  assert.equal(logged.at(-1)!['step'], 20);
  const out = sink();
  const none = createProgress('none', log, fakeClock(), out.stream);
  none.step({ epoch: 1, epochs: 1, stepInEpoch: 0, stepsPerEpoch: 1, loss: 0 });
  none.epochTrained();
  assert.equal(out.text(), '');
});
