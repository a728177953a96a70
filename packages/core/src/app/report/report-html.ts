import type { RunRecords } from '../compare/read-runs.js';
import { failureWord, rowTitle, uHeader, type DatasetResults, type ResultRow, type ResultsTable, type Stat } from '../compare/results-table.js';
import { mean } from '../compare/statistics.js';
import { methodQuantitiesSection } from './method-quantities.js';
import { PALETTE, barChart, lineChart, type LineSeries, type ShadedRange } from './svg-chart.js';

/** Ids of the charts of one dataset section, in order (tests check each is present). */
export function chartIds(ds: Pick<DatasetResults, 'dataset' | 'modalityNames' | 'rows'>): string[] {
  const slug = slugify(ds.dataset);
  const multi = ds.rows.filter((r) => r.unimodal === null);
  return [
    `${slug}-test-acc`,
    ...(hasZoomPanel(ds) ? [`${slug}-test-acc-multimodal`] : []),
    ...ds.modalityNames.map((_, k) => `${slug}-head${k}-acc`),
    ...multi.map((r) => `${slug}-dspeed-${slugify(r.label)}`),
    `${slug}-utilization`,
  ];
}

/**
 * Whether the test accuracy chart gets a second panel of the multi-modal rows alone: with a uni-modal baseline
 * near 90 % beside them, their curves fill a sliver of the first chart's height and their differences vanish.
 */
const hasZoomPanel = (ds: Pick<DatasetResults, 'rows'>): boolean => ds.rows.some((r) => r.unimodal === null) && ds.rows.some((r) => r.unimodal !== null);

const slugify = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '-');
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `report.html`: one self-contained page (inline SVG and CSS, no scripts, no external assets). Per dataset:
 * test accuracy per epoch per strategy (mean over seeds, min–max band; a second panel of the multi-modal rows
 * alone when a uni-modal baseline shares the first), each head's test accuracy per epoch,
 * d_speed over steps per strategy (mean over seeds, min–max band; re-balancing shaded by the share of
 * seeds in a re-balancing step), u and d_util per strategy (mean ± std bars), and the results table.
 */
export function renderReport(table: ResultsTable, runs: readonly RunRecords[]): string {
  const sections = table.datasets.map((ds) => datasetSection(ds, runs.filter((r) => r.dataset === ds.dataset)));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(table.name)}: ungreedy report</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1340px;color:#222;background:#fff}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.grid svg{border:1px solid #e3e3e3}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#f0f0f0}.fail{color:#b00020}.note{color:#555;font-size:12px;max-width:1100px}
</style></head><body>
<h1>${esc(table.name)}</h1>
<p class="note">Mean over seeds; bands are the min–max over seeds. Test accuracy of the evaluated checkpoint in the table; per-epoch curves are each epoch's test pass.
u(a|b): conditional utilization rate of modality a by the branch of modality b (the drop of that branch's accuracy when a's contribution through the fusion blocks is replaced by its training mean);
d_util = u(m1|m0) − u(m0|m1). d_speed = s(m1|m0) − s(m0|m1), conditional learning speeds in log units; shaded: re-balancing steps.</p>
${sections.join('\n')}
</body></html>
`;
}

function datasetSection(ds: DatasetResults, runs: readonly RunRecords[]): string {
  const slug = slugify(ds.dataset);
  const colorOf = new Map(ds.rows.map((r, i) => [r.label, PALETTE[i % PALETTE.length]!]));
  const runsOf = (row: ResultRow): RunRecords[] => runs.filter((r) => r.label === row.label && r.summary?.status === 'completed');
  const charts: string[] = [];
  // 1. Fused test accuracy per epoch; then the multi-modal rows alone, the y range fitted to them (lineChart fits
  // its y range to the series it is given).
  const accSeries = ds.rows.map((row, i) => ({ ...epochSeries(runsOf(row), (e) => e.test?.acc ?? e.val?.acc ?? NaN), name: rowTitle(row, ds, i === 0 && row.unimodal !== null), color: colorOf.get(row.label)!, dashed: row.unimodal !== null }));
  const accChart = { xLabel: 'epoch', integerX: true, yLabel: 'test accuracy (%)' };
  charts.push(lineChart({ ...accChart, id: `${slug}-test-acc`, title: `${ds.dataset}: test accuracy per epoch`, series: accSeries }));
  if (hasZoomPanel(ds)) {
    charts.push(lineChart({
      ...accChart,
      id: `${slug}-test-acc-multimodal`,
      title: `${ds.dataset}: test accuracy per epoch, multi-modal rows (zoomed)`,
      series: accSeries.filter((_, i) => ds.rows[i]!.unimodal === null),
    }));
  }
  // 2. Each head's test accuracy per epoch (multi-modal rows, plus the uni-modal baseline of that modality).
  ds.modalityNames.forEach((name, k) => {
    const series: LineSeries[] = [];
    ds.rows.forEach((row, i) => {
      if (row.unimodal !== null && row.unimodal !== k) return;
      const rs = runsOf(row);
      series.push({
        ...epochSeries(rs, (e, run) => {
          const pos = run.summary?.modalities.indexOf(k) ?? -1;
          return pos === -1 ? NaN : (e.test?.accHeads[pos] ?? NaN);
        }),
        name: rowTitle(row, ds, i === 0 && row.unimodal !== null),
        color: colorOf.get(row.label)!,
        dashed: row.unimodal !== null,
      });
    });
    for (const u of ds.unimodal) {
      if (u.unimodal === k && !ds.rows.includes(u)) {
        series.push({ ...epochSeries(runsOf(u), (e) => e.test?.accHeads[0] ?? NaN), name: rowTitle(u, ds, false), color: '#7f7f7f', dashed: true });
      }
    }
    charts.push(lineChart({ id: `${slug}-head${k}-acc`, title: `${ds.dataset}: test accuracy of the ${name} head (m${k})`, xLabel: 'epoch',
    integerX: true, yLabel: `${name} head test accuracy (%)`, series }));
  });
  // 3. d_speed over steps, one chart per multi-modal row.
  const multi = ds.rows.filter((r) => r.unimodal === null);
  for (const row of multi) {
    const rs = runsOf(row);
    const { series, shaded } = stepSeries(rs);
    charts.push(lineChart({
      id: `${slug}-dspeed-${slugify(row.label)}`,
      title: `${ds.dataset}, ${row.label}: d_speed over training steps`,
      xLabel: 'training step',
      integerX: true,
      yLabel: 'd_speed',
      series: [{ ...series, name: `${row.label} d_speed (mean, min–max over seeds)`, color: colorOf.get(row.label)! }],
      shaded,
      shadedLabel: 're-balancing (share of steps, all seeds)',
      refY: 0,
      refLabel: 'd_speed = 0 (both modalities learn alike)',
      height: 240,
    }));
  }
  // 4. u and d_util per strategy.
  const names = ds.modalityNames;
  // Bar colours of their own, so u and d_util are not read as the strategies' line colours.
  const barColors = ['#6baed6', '#fdae6b', '#74c476', '#9e9ac8'];
  const uSeries = names.map((_, k) => ({ name: uHeader(names, k), color: barColors[k % barColors.length]! }));
  const bar = (s: Stat | null): { mean: number; err: number } | null => (s === null ? null : { mean: s.mean, err: s.std });
  charts.push(barChart({
    id: `${slug}-utilization`,
    title: `${ds.dataset}: conditional utilization rates and d_util (mean ± std)`,
    yLabel: 'u(a|b) and d_util',
    series: [...uSeries, { name: 'd_util', color: '#333333' }],
    groups: multi.map((row) => ({ name: row.label, values: [...names.map((_, k) => bar(row.u[k] ?? null)), bar(row.dUtil)] })),
  }));
  return `<section id="${slug}"><h2>${esc(ds.dataset)}</h2>
<h3>Results</h3>
${htmlTable(ds)}
${methodQuantitiesSection(ds)}
<h3>Plots</h3>
<div class="grid">
${charts.join('\n')}
</div></section>`;
}

/** Mean and min–max over runs of a per-epoch value, on the epochs every run has. */
function epochSeries(runs: readonly RunRecords[], value: (e: RunRecords['epochs'][number], run: RunRecords) => number): Omit<LineSeries, 'name' | 'color'> {
  const epochs = [...new Set(runs.flatMap((r) => r.epochs.map((e) => e.epoch)))].sort((a, b) => a - b);
  const x: number[] = [];
  const y: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const ep of epochs) {
    const vals = runs.map((r) => {
      const e = r.epochs.find((q) => q.epoch === ep);
      return e === undefined ? NaN : value(e, r);
    });
    // A point only where every seed has a value: a mean over fewer seeds would jump where one drops out.
    if (vals.length === 0 || !vals.every(Number.isFinite)) continue;
    x.push(ep);
    y.push(mean(vals));
    lo.push(Math.min(...vals));
    hi.push(Math.max(...vals));
  }
  return { x, y, lo, hi };
}

/**
 * d_speed over steps (mean, min–max over seeds, on the steps every seed has), bucketed to at most 600 points;
 * re-balancing share as shading.
 */
function stepSeries(runs: readonly RunRecords[]): { series: Omit<LineSeries, 'name' | 'color'>; shaded: ShadedRange[] } {
  const maxStep = Math.max(-1, ...runs.flatMap((r) => r.steps.map((s) => s.step)));
  if (maxStep < 0) return { series: { x: [], y: [] }, shaded: [] };
  const buckets = Math.min(600, maxStep + 1);
  const size = (maxStep + 1) / buckets;
  const x: number[] = [];
  const y: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const shaded: ShadedRange[] = [];
  for (let b = 0; b < buckets; b++) {
    const s0 = Math.floor(b * size);
    const s1 = Math.floor((b + 1) * size);
    const perRun: number[] = [];
    for (const r of runs) {
      const inBucket = r.steps.filter((s) => s.step >= s0 && s.step < s1);
      const d = inBucket.map((s) => s.dSpeed).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (d.length > 0) perRun.push(mean(d));
    }
    // Only where every seed has data (docs/compare.md, "The report"): seeds that stop at different steps
    // (completed stopping) would otherwise turn the tail into a mean over fewer seeds, with a jump where one ends.
    if (perRun.length === 0 || perRun.length < runs.length) continue;
    x.push((s0 + s1 - 1) / 2);
    y.push(mean(perRun));
    lo.push(Math.min(...perRun));
    hi.push(Math.max(...perRun));
  }
  // Re-balancing as spans, not one stripe per step: guided alternates Q re-balancing steps with one regular step
  // (packages/strategy-guided/docs/guided.md), so the share of re-balancing steps is taken over spans of ~1/80 of the run, rounded to tenths,
  // and equal neighbours merge into one rectangle.
  const span = Math.max(1, Math.ceil((maxStep + 1) / 80));
  for (let s0 = 0; s0 <= maxStep; s0 += span) {
    const s1 = Math.min(maxStep + 1, s0 + span);
    let rebalance = 0;
    let total = 0;
    for (const r of runs) {
      for (const st of r.steps) {
        if (st.step < s0 || st.step >= s1) continue;
        total++;
        if (st.mode.kind === 'rebalance') rebalance++;
      }
    }
    const weight = total > 0 ? Math.round((10 * rebalance) / total) / 10 : 0;
    if (weight > 0) shaded.push({ x0: s0, x1: s1, weight });
  }
  return { series: { x, y, lo, hi }, shaded: mergeShaded(shaded) };
}

/** Joins touching ranges of equal weight, so a long window is one rectangle. */
function mergeShaded(ranges: readonly ShadedRange[]): ShadedRange[] {
  const out: ShadedRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.x1 === r.x0 && Math.abs(last.weight - r.weight) < 1e-9) out[out.length - 1] = { ...last, x1: r.x1 };
    else out.push(r);
  }
  return out;
}

function htmlTable(ds: DatasetResults): string {
  const names = ds.modalityNames;
  const pm = (s: Stat | null, d: number): string => (s === null ? '–' : s.n < 2 ? fmt(s.mean, d) : `${fmt(s.mean, d)} ± ${fmt(s.std, d)}`);
  const head = ['', 'seeds', 'test acc (%)', ...names.map((n) => `${n} head (%)`), ...names.map((_, k) => uHeader(names, k)), 'd_util', 'Δ acc vs vanilla (paired t)'];
  const rows = ds.rows.map((row, i) => {
    const t = row.vsVanilla;
    const delta = t === null ? '–' : `${t.meanDiff > 0 ? '+' : ''}${fmt(t.meanDiff, 2)} (t=${fmt(t.t, 2)}, ${Number.isFinite(t.p) ? (t.p < 0.001 ? 'p&lt;0.001' : `p=${t.p.toFixed(3)}`) : 'p=–'}, n=${t.n})`;
    const fail = (row.failed.length === 0 ? '' : ` <span class="fail">⚠ ${row.failed.map((f) => `seed ${f.seed}: ${esc(failureWord(f.code))}`).join('; ')}</span>`) +
      (row.pending.length === 0 ? '' : ` <span class="note">(pending: seed ${row.pending.join(', ')})</span>`);
    const cells = [esc(rowTitle(row, ds, i === 0 && row.unimodal !== null)) + fail, `${row.completed.length}/${row.seeds.length}`, pm(row.testAcc, 2), ...names.map((_, k) => pm(row.heads[k] ?? null, 2)), ...names.map((_, k) => pm(row.u[k] ?? null, 3)), pm(row.dUtil, 3), delta];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const fmt = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d).replace(/^-/, '−') : '–');
