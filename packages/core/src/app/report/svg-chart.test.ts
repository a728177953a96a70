import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, lineChart } from './svg-chart.js';

test('an empty line or bar chart says there is no data; the reference line carries its label', () => {
  const empty = lineChart({ id: 'e', title: 'T', xLabel: 'step', yLabel: 'd_speed', series: [{ name: 'guided', color: '#000', x: [], y: [] }] });
  assert.match(empty, /<text [^>]*>no data: no run has finished this yet<\/text>/);
  const full = lineChart({
    id: 'f', title: 'T', xLabel: 'step', yLabel: 'd_speed', refY: 0, refLabel: 'd_speed = 0 (both modalities learn alike)',
    series: [{ name: 'guided', color: '#000', x: [0, 1], y: [0.1, 0.2] }],
  });
  assert.doesNotMatch(full, /no data/);
  assert.match(full, /<text [^>]*>d_speed = 0 \(both modalities learn alike\)<\/text>/);
  const bars = barChart({ id: 'b', title: 'T', yLabel: 'u', series: [{ name: 'u', color: '#000' }], groups: [{ name: 'vanilla', values: [null] }] });
  assert.match(bars, /no data/);
  const some = barChart({ id: 'b', title: 'T', yLabel: 'u', series: [{ name: 'u', color: '#000' }], groups: [{ name: 'vanilla', values: [{ mean: 0.5, err: 0.1 }] }] });
  assert.doesNotMatch(some, /no data/);
});
