import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchedulerConfig } from '../config/experiment-config.js';
import { createScheduler, ReduceLrOnPlateau } from './lr-scheduler.js';

type Plateau = Extract<SchedulerConfig, { type: 'plateau' }>;
const SPEC: Plateau = {
  type: 'plateau',
  monitor: 'train/loss',
  mode: 'min',
  factor: 0.3,
  patience: 10,
  threshold: 1e-3,
  thresholdMode: 'rel',
  cooldown: 0,
  minLr: 1e-6,
  eps: 1e-8,
};

// Every expected sequence below was also produced by torch 1.13's ReduceLROnPlateau with the same arguments.
function run(config: Plateau, lr: number, values: number[]): number[] {
  const s = new ReduceLrOnPlateau(config);
  return values.map((v) => (lr = s.stepValue(lr, v)));
}

test('spec 9.14: plateau (rel 1e-3, patience 10, factor 0.3) reduces on the 11th epoch without improvement', () => {
  // Epoch 1 sets best = 1. 1 − 5e-4 is not a 1e-3 relative improvement, so epochs 2..12 are all bad.
  const values = [1, ...Array<number>(11).fill(1 - 5e-4)];
  const lrs = run(SPEC, 0.1, values);
  assert.deepEqual(lrs.slice(0, 11), Array<number>(11).fill(0.1));
  assert.ok(Math.abs(lrs[11]! - 0.03) < 1e-15);
});

test('spec 9.14: a real improvement resets the count; repeated plateaus reduce again down to min_lr', () => {
  const values = [1, ...Array<number>(5).fill(1), 0.99, ...Array<number>(11).fill(0.99)];
  const lrs = run(SPEC, 0.1, values);
  assert.equal(lrs[16], 0.1);
  assert.ok(Math.abs(lrs[17]! - 0.03) < 1e-15);
  const floor = run({ ...SPEC, patience: 0 }, 2e-6, [1, 1, 1, 1]);
  assert.deepEqual(floor, [2e-6, 1e-6, 1e-6, 1e-6]);
});

test('plateau: cooldown suppresses counting, abs threshold and max mode follow torch', () => {
  const cool = run({ ...SPEC, patience: 0, cooldown: 2 }, 1, [1, 1, 1, 1, 1, 1]);
  // Epoch 2 reduces and starts a 2-epoch cooldown; epochs 3-4 cool down; epoch 5 is bad again and reduces.
  assert.deepEqual(cool.map((x) => Number(x.toFixed(6))), [1, 0.3, 0.3, 0.3, 0.09, 0.09]);
  const abs = run({ ...SPEC, patience: 0, thresholdMode: 'abs', threshold: 0.1 }, 1, [1, 0.95, 0.85]);
  assert.deepEqual(abs.map((x) => Number(x.toFixed(6))), [1, 0.3, 0.3]);
  const max = run({ ...SPEC, mode: 'max', patience: 0 }, 1, [50, 50.01, 60]);
  assert.deepEqual(max.map((x) => Number(x.toFixed(6))), [1, 0.3, 0.3]);
});

test('plateau state (including best = +inf) round-trips through JSON', () => {
  const a = new ReduceLrOnPlateau(SPEC);
  const b = new ReduceLrOnPlateau(SPEC);
  b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
  let la = 0.1;
  let lb = 0.1;
  for (let i = 0; i < 14; i++) {
    la = a.stepValue(la, 1);
    lb = b.stepValue(lb, 1);
  }
  assert.equal(lb, la);
  assert.deepEqual(b.stateDict(), a.stateDict());
});

test('step and cosine schedules follow torch closed forms', () => {
  const step = createScheduler({ type: 'step', stepSize: 2, gamma: 0.5 }, 1);
  const monitor = { 'train/loss': 0, 'val/loss': null, 'val/acc': null };
  assert.deepEqual([1, 2, 3, 4, 5].map(() => step.step(1, monitor)), [1, 0.5, 0.5, 0.25, 0.25]);
  const cos = createScheduler({ type: 'cosine', tMax: 4, minLr: 0 }, 1);
  const got = [1, 2, 3, 4].map(() => cos.step(1, monitor));
  const want = [1, 2, 3, 4].map((e) => (1 + Math.cos((Math.PI * e) / 4)) / 2);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-15));
});
