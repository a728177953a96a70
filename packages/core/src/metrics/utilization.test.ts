import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utilizationRates } from './utilization.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('spec 9.12: A(f_k) = 90, A(f\'_0) = 60, A(f\'_1) = 85 → u = 1/3, 1/18, d_util = 5/18', () => {
  const r = utilizationRates({ acc: 90, accHeads: [90, 90], accHeadsAblated: [60, 85], denominator: 'branch' });
  close(r.u[0]!, 1 / 3);
  close(r.u[1]!, 1 / 18);
  close(r.dUtil, 5 / 18);
});

test('spec 9.12: with unequal branch accuracies each modality has its own denominator', () => {
  const r = utilizationRates({ acc: 88, accHeads: [80, 50], accHeadsAblated: [60, 45], denominator: 'branch' });
  close(r.u[0]!, 20 / 80);
  close(r.u[1]!, 5 / 50);
  const f = utilizationRates({ acc: 88, accHeads: [80, 50], accHeadsAblated: [60, 45], denominator: 'fused' });
  close(f.u[0]!, 20 / 88);
  close(f.u[1]!, 5 / 88);
});

test('spec 9.12: a negative u (ablation helps) is kept, not clamped', () => {
  const r = utilizationRates({ acc: 70, accHeads: [70, 60], accHeadsAblated: [77, 60], denominator: 'branch' });
  close(r.u[0]!, -0.1);
  close(r.u[1]!, 0);
  close(r.dUtil, -0.1);
});

test('three modalities: d_util = max(u) − min(u)', () => {
  const r = utilizationRates({ acc: 90, accHeads: [80, 80, 80], accHeadsAblated: [40, 80, 60], denominator: 'branch' });
  close(r.dUtil, 0.5);
});
