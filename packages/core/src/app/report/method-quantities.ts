import type { DatasetResults, Stat } from '../compare/results-table.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(4).replace(/^-/, '−') : '–');
const pm = (s: Stat): string => (s.n < 2 ? num(s.mean) : `${num(s.mean)} ± ${num(s.std)}`);

/**
 * The report's "Method quantities" table: every row's strategy metrics (`ctx.metrics.record`, docs/hooks.md
 * "Strategy metrics": OGM-GE's ρ and k, AGM's scores, MMPareto's conflict rate, ...) as `ResultRow.strategyMetrics`
 * holds them (docs/compare.md "Each method's own quantities": per run the last epoch's value, else the mean of that
 * epoch's step values; mean ± sample std over the completed seeds). One line per row and quantity, in table order.
 * Empty when no row recorded any, so a report of strategies without metrics has no such section.
 */
export function methodQuantitiesSection(ds: Pick<DatasetResults, 'rows'>): string {
  const lines: string[] = [];
  for (const row of ds.rows) {
    const metrics = Object.entries(row.strategyMetrics ?? {});
    metrics.forEach(([name, stat], i) => {
      const method = i === 0 ? `<td rowspan="${metrics.length}">${esc(row.label)}</td>` : '';
      lines.push(`<tr>${method}<td>${esc(name)}</td><td>${pm(stat)}</td><td>${stat.n}</td></tr>`);
    });
  }
  if (lines.length === 0) return '';
  return `<h3>Method quantities</h3>
<p class="note">Each method's own logged quantities (strategy metrics), last epoch: its epoch value, else the mean over that epoch's steps; mean ± std over seeds.</p>
<table><thead><tr><th>method</th><th>quantity</th><th>last epoch (mean ± std)</th><th>seeds</th></tr></thead><tbody>${lines.join('')}</tbody></table>`;
}
