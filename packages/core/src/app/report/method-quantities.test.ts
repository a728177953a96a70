import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow, Stat } from '../compare/results-table.js';
import { methodQuantitiesSection } from './method-quantities.js';

const stat = (values: number[]): Stat => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, std, n: values.length, values };
};
const row = (label: string, strategyMetrics?: Record<string, Stat>): ResultRow => ({
  label, use: label, unimodal: null, seeds: [1, 2], completed: [1, 2], failed: [], pending: [], testAcc: null, heads: [], u: [], dUtil: null, vsVanilla: null,
  ...(strategyMetrics ? { strategyMetrics } : {}),
});

test('method quantities: one line per row and quantity, mean ± std over seeds, method named once; none without metrics', () => {
  const html = methodQuantitiesSection({
    rows: [
      row('vanilla'),
      // Hand numbers: k = 0.6 and 0.2 → mean 0.4, sample std √0.08 = 0.2828; a single seed shows no ± part.
      row('ogm<ge>', { 'o/ogm/k': stat([0.6, 0.2]), 'o/ogm/rho': stat([-1.5]) }),
      row('agm', { 'a/agm/score/0': stat([2, 4]) }),
    ],
  });
  assert.match(html, /<h3>Method quantities<\/h3>/);
  assert.match(html, /<tr><td rowspan="2">ogm&lt;ge&gt;<\/td><td>o\/ogm\/k<\/td><td>0\.4000 ± 0\.2828<\/td><td>2<\/td><\/tr>/);
  assert.match(html, /<tr><td>o\/ogm\/rho<\/td><td>−1\.5000<\/td><td>1<\/td><\/tr>/);
  assert.match(html, /<td rowspan="1">agm<\/td><td>a\/agm\/score\/0<\/td><td>3\.0000 ± 1\.4142<\/td>/);
  assert.doesNotMatch(html, /vanilla/);
  assert.equal(methodQuantitiesSection({ rows: [row('vanilla'), row('guided', {})] }), '');
});
