import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Clock } from '../util/clock.js';
import { createProgress, formatSeconds, roundSignificant, roundTo } from './progress.js';
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

/** A clock the test moves by hand (milliseconds). */
function manualClock(): { clock: Clock; advance: (ms: number) => void } {
  let t = 1_000;
  return { clock: { now: () => t, isoNow: () => new Date(t).toISOString() }, advance: (ms) => (t += ms) };
}

test("'bar' redraws one line per step with steps/s, loss and the epoch's and run's ETA, and ends it after the epoch", () => {
  const out = sink();
  const { clock, advance } = manualClock();
  const p = createProgress('bar', pino({ level: 'silent' }), clock, out.stream);
  for (let i = 0; i < 4; i++) {
    advance(500); // 2 steps/s
    p.step({ epoch: 2, epochs: 5, stepInEpoch: i, stepsPerEpoch: 4, loss: 1.23456 });
  }
  p.epochTrained();
  const lines = out.text().split('\r').filter((l) => l.length > 0);
  assert.equal(lines.length, 4);
  // The first step has no measured speed: no absurd rate and no "ETA 0s".
  assert.match(lines[0]!, /^epoch 2\/5 \[#{6}-{18}\] 1\/4 – steps\/s loss 1\.2346 ETA epoch \?, run \?/);
  assert.match(lines[1]!, /2\/4 2 steps\/s .* ETA epoch 1s, run 7s/);
  assert.match(lines[3]!, /\[#{24}\] 4\/4 2 steps\/s .* ETA epoch 0s, run 6s\s*\n$/);
});

test("'bar' blanks what a longer previous line left behind", () => {
  const out = sink();
  const { clock, advance } = manualClock();
  const p = createProgress('bar', pino({ level: 'silent' }), clock, out.stream);
  for (const [i, loss] of [[0, 1e6], [1, 1e6], [2, 1]] as const) {
    advance(1_000);
    p.step({ epoch: 1, epochs: 1, stepInEpoch: i, stepsPerEpoch: 200, loss });
  }
  const lines = out.text().split('\r').filter((l) => l.length > 0);
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i]!.length >= lines[i - 1]!.trimEnd().length, `line ${i} is shorter than the one it covers`);
  // The loss got 6 characters shorter: the redraw ends in 6 spaces, not in the end of the previous line.
  assert.match(lines.at(-2)!, /loss 1000000\.0000 ETA epoch 3m18s, run 3m18s$/);
  assert.match(lines.at(-1)!, /loss 1\.0000 ETA epoch 3m17s, run 3m17s {6}$/);
});

test('the run ETA counts later epochs and the time measured between epochs (validation)', () => {
  const out = sink();
  const { clock, advance } = manualClock();
  const p = createProgress('bar', pino({ level: 'silent' }), clock, out.stream);
  const epoch = (e: number) => {
    for (let i = 0; i < 10; i++) {
      advance(1_000); // 1 step/s
      p.step({ epoch: e, epochs: 3, stepInEpoch: i, stepsPerEpoch: 10, loss: 0.5 });
    }
    p.epochTrained();
  };
  epoch(1);
  advance(5_000); // validation: 5 s, then the next epoch's first step (1 s) follows
  advance(1_000);
  p.step({ epoch: 2, epochs: 3, stepInEpoch: 0, stepsPerEpoch: 10, loss: 0.5 });
  const last = out.text().split('\r').at(-1)!;
  // Epoch 2: 9 steps + 5 s validation; epoch 3: 10 steps + 5 s = 29 s. The first step of epoch 2 has a speed already.
  assert.match(last, /1\/10 1 steps\/s .* ETA epoch 9s, run 29s/);
});

test('formatSeconds and the log rounding', () => {
  assert.equal(formatSeconds(undefined), '?');
  assert.equal(formatSeconds(Infinity), '?');
  assert.equal(formatSeconds(59.6), '1m00s');
  assert.equal(formatSeconds(3725), '1h02m');
  assert.equal(roundTo(0.123456, 2), 0.12);
  assert.equal(roundSignificant(0.000123456, 4), 0.0001235);
  assert.equal(roundSignificant(1234.567, 4), 1235);
});

test("'lines' logs progress about every 10 % of an epoch; 'none' prints nothing", () => {
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, done) => (logged.push(JSON.parse(String(c))), done()) }));
  const p = createProgress('lines', log, fakeClock());
  for (let i = 0; i < 20; i++) p.step({ epoch: 1, epochs: 1, stepInEpoch: i, stepsPerEpoch: 20, loss: 0.5 });
  assert.equal(logged.length, 10);
  assert.equal(logged[0]!['msg'], 'training progress');
  assert.equal(logged.at(-1)!['step'], 20);
  // Rounded for reading: no 17-digit floats in the log, and no speed before one is measured.
  assert.equal(logged[0]!['stepsPerSecond'], 1000);
  for (const record of logged) {
    for (const key of ['stepsPerSecond', 'loss', 'etaSeconds', 'runEtaSeconds']) {
      const v = record[key];
      assert.ok(v === null || (typeof v === 'number' && String(v).length <= 8), `${key}=${String(v)}`);
    }
  }
  const out = sink();
  const none = createProgress('none', log, fakeClock(), out.stream);
  none.step({ epoch: 1, epochs: 1, stepInEpoch: 0, stepsPerEpoch: 1, loss: 0 });
  none.epochTrained();
  assert.equal(out.text(), '');
});
