import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMatrix } from '../compare/read-runs.js';
import { computeResults } from '../compare/results-table.js';
import { chartIds, renderReport } from './report-html.js';
import { writeHandRun, type HandRun } from './test-fixtures/hand-made-matrix.js';

const root = mkdtempSync(join(tmpdir(), 'ungreedy-report-html-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function report(name: string, runs: readonly HandRun[]): { html: string; ids: string[] } {
  const out = join(root, name);
  for (const r of runs) writeHandRun(out, r);
  const { index, runs: records } = readMatrix(out);
  const table = computeResults(index, records);
  return { html: renderReport(table, records), ids: chartIds(table.datasets[0]!) };
}

/** The `<svg id=…>` chart of the page. */
function chart(html: string, id: string): string {
  const m = new RegExp(`<svg [^>]*id="${id}"[\\s\\S]*?</svg>`).exec(html);
  assert.ok(m, `chart ${id} is in the report`);
  return m[0];
}

/** Points of the line drawn in `color`. */
function line(svg: string, color: string): [number, number][] {
  const m = new RegExp(`<polyline points="([^"]+)" fill="none" stroke="${color}"`).exec(svg);
  assert.ok(m, `a line in ${color}`);
  return m[1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

const yTicks = (svg: string): number[] => [...svg.matchAll(/<text x="\d+" y="[\d.]+" text-anchor="end" dominant-baseline="middle"[^>]*>([^<]+)<\/text>/g)].map((m) => Number(m[1]));

test('the multi-modal accuracy curves get a second panel whose y range fits them, so their differences show', () => {
  const { html, ids } = report('zoom', [1, 2].flatMap((seed) => [
    { label: 'unimodal-m0', seed, modalities: [0], testAcc: [88, 90, 91] },
    { label: 'vanilla', seed, testAcc: [20, 22, 24] },
    { label: 'guided', seed, testAcc: [21, 25, 29] },
  ]));
  assert.deepEqual(ids.slice(0, 2), ['cm-test-acc', 'cm-test-acc-multimodal']);
  const full = chart(html, 'cm-test-acc');
  const zoom = chart(html, 'cm-test-acc-multimodal');
  // The first panel spans up to the uni-modal line; the second only the multi-modal range (20–29 % and a margin).
  assert.ok(Math.max(...yTicks(full)) >= 80, `full ticks ${yTicks(full).join(',')}`);
  assert.ok(Math.min(...yTicks(zoom)) >= 15 && Math.max(...yTicks(zoom)) <= 35, `zoom ticks ${yTicks(zoom).join(',')}`);
  assert.doesNotMatch(zoom, /stroke-dasharray="6 4"/, 'no uni-modal (dashed) line in the zoomed panel');
  assert.equal([...zoom.matchAll(/<polyline /g)].length, 2);
  // The gap between vanilla and guided at the last epoch, in pixels: several times larger in the zoomed panel.
  // Colours by row order: the uni-modal baseline, vanilla, guided.
  const gap = (svg: string): number => Math.abs(line(svg, '#d62728').at(-1)![1] - line(svg, '#2ca02c').at(-1)![1]);
  assert.ok(gap(zoom) > 3 * gap(full), `gap ${gap(zoom)} px zoomed vs ${gap(full)} px`);
});

test('without a uni-modal row there is no second panel (the first is already fitted)', () => {
  const { html, ids } = report('nozoom', [{ label: 'vanilla', seed: 1 }, { label: 'guided', seed: 1 }]);
  assert.ok(!ids.includes('cm-test-acc-multimodal'));
  assert.doesNotMatch(html, /cm-test-acc-multimodal/);
});

test('d_speed: a labelled zero line, re-balancing as a few spans, the band only on steps every seed has', () => {
  const steps = 200;
  const rebalance = Array.from({ length: 60 }, (_, i) => 50 + i); // one re-balancing window, steps 50–109
  const { html } = report('dspeed', [
    { label: 'guided', seed: 1, dSpeed: Array.from({ length: steps }, () => 0.3), rebalance },
    { label: 'guided', seed: 2, dSpeed: Array.from({ length: steps }, () => 0.1), rebalance },
    // seed 3 stops early (completed stopping) at step 149, with a d_speed far from the others'
    { label: 'guided', seed: 3, dSpeed: Array.from({ length: 150 }, () => 0.2), rebalance },
  ]);
  const svg = chart(html, 'cm-dspeed-guided');
  assert.match(svg, /<line [^>]*stroke-dasharray="3 3"\/><text [^>]*>d_speed = 0 \(both modalities learn alike\)<\/text>/);
  // Spans of the plot's height (the legend's box is 10 px high): the window's two edges and its inside, not 60 stripes.
  const shading = [...svg.matchAll(/<rect [^>]*height="([\d.]+)" fill="#f2a900"/g)].filter((m) => Number(m[1]) > 10);
  assert.ok(shading.length >= 1 && shading.length <= 3, `${shading.length} shaded rectangles for one window`);
  const pts = line(svg, '#1f77b4');
  // Every drawn point is the mean of all three seeds (0.2): none from the tail where only two seeds remain.
  assert.equal(pts.length, 150);
  assert.equal(new Set(pts.map(([, y]) => y)).size, 1);
});

test('the bar chart names u and d_util on its axis; a partial report\'s empty plots say "no data"', () => {
  const { html } = report('partial', [
    { label: 'vanilla', seed: 1, dSpeed: [0.1, 0.2] },
    { label: 'guided', seed: 1, status: 'running' },
  ]);
  assert.match(chart(html, 'cm-utilization'), /rotate\(-90\)"[^>]*>u\(a\|b\) and d_util<\/text>/);
  assert.match(chart(html, 'cm-utilization'), />no data: no run has finished this yet</);
  assert.match(chart(html, 'cm-dspeed-guided'), />no data: no run has finished this yet</);
  assert.doesNotMatch(chart(html, 'cm-dspeed-vanilla'), /no data/);
});
