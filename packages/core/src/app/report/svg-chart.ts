/**
 * Small, dependency-free SVG charts for `report.html`: line charts with a band per series and shaded x ranges,
 * and grouped bar charts with error bars. Every chart has axis ticks, axis labels and a legend, and is a
 * self-contained `<svg>` string (inline styles only), so the report opens offline and the SVGs can be copied out.
 */

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Band around the line (min–max or ±std over seeds), same length as x; omitted: no band. */
  readonly lo?: readonly number[];
  readonly hi?: readonly number[];
  readonly dashed?: boolean;
}

export interface ShadedRange {
  readonly x0: number;
  readonly x1: number;
  /** 0..1: how strongly to shade (e.g. the share of seeds in a re-balancing step). */
  readonly weight: number;
}

export interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly shaded?: readonly ShadedRange[];
  readonly shadedLabel?: string;
  /** What the dashed reference line at `refY` is, written at its right end (e.g. `d_speed = 0`). */
  readonly refLabel?: string;
  /** Written in the plot when no series has a point (e.g. a partial report). */
  readonly noDataNote?: string;
  readonly width?: number;
  readonly height?: number;
  /** Draw a horizontal reference line (e.g. y = 0). */
  readonly refY?: number;
  /** Only whole-number x ticks (epochs, steps). */
  readonly integerX?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const tickText = (v: number): string => {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Math.round(v * 1000) / 1000);
};

interface Frame {
  readonly w: number;
  readonly h: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function axes(frame: Frame, x: { lo: number; hi: number; ticks: readonly number[]; label: string; tickLabel?: (v: number) => string }, y: { lo: number; hi: number; ticks: readonly number[]; label: string }): { sx: (v: number) => number; sy: (v: number) => number; svg: string } {
  const { w, h, left, right, top, bottom } = frame;
  const sx = (v: number): number => left + ((v - x.lo) / (x.hi - x.lo || 1)) * (w - left - right);
  const sy = (v: number): number => h - bottom - ((v - y.lo) / (y.hi - y.lo || 1)) * (h - top - bottom);
  const parts: string[] = [];
  parts.push(`<rect x="${left}" y="${top}" width="${w - left - right}" height="${h - top - bottom}" fill="#fff" stroke="#999" stroke-width="1"/>`);
  for (const t of y.ticks) {
    const yy = r2(sy(t));
    parts.push(`<line x1="${left}" x2="${w - right}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    parts.push(`<line x1="${left - 4}" x2="${left}" y1="${yy}" y2="${yy}" stroke="#555"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#333">${esc(tickText(t))}</text>`);
  }
  for (const t of x.ticks) {
    const xx = r2(sx(t));
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${h - bottom}" y2="${h - bottom + 4}" stroke="#555"/>`);
    parts.push(`<text x="${xx}" y="${h - bottom + 16}" text-anchor="middle" font-size="11" fill="#333">${esc((x.tickLabel ?? tickText)(t))}</text>`);
  }
  parts.push(`<text x="${r2((left + w - right) / 2)}" y="${h - 6}" text-anchor="middle" font-size="12" fill="#222">${esc(x.label)}</text>`);
  parts.push(`<text transform="translate(14 ${r2((top + h - bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="12" fill="#222">${esc(y.label)}</text>`);
  return { sx, sy, svg: parts.join('') };
}

function legend(items: readonly { name: string; color: string; kind: 'line' | 'box' | 'dashed'; opacity?: number }[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const width = 26 + it.name.length * 6.6 + 14;
    if (cx + width > x + maxWidth && cx > x) {
      cx = x;
      cy += 16;
    }
    if (it.kind === 'box') parts.push(`<rect x="${r2(cx)}" y="${cy - 6}" width="18" height="10" fill="${it.color}" fill-opacity="${it.opacity ?? 1}"/>`);
    else parts.push(`<line x1="${r2(cx)}" x2="${r2(cx + 18)}" y1="${cy}" y2="${cy}" stroke="${it.color}" stroke-width="2.5"${it.kind === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${r2(cx + 23)}" y="${cy}" dominant-baseline="middle" font-size="11" fill="#222">${esc(it.name)}</text>`);
    cx += width;
  }
  return { svg: parts.join(''), height: cy - y + 16 };
}

/** A line chart: one line per series, an optional band, optional shaded x ranges, a legend above the plot. */
export function lineChart(o: LineChartOptions): string {
  const w = o.width ?? 640;
  const legendItems = o.series.map((s) => ({ name: s.name, color: s.color, kind: (s.dashed ? 'dashed' : 'line') as 'line' | 'dashed' }));
  if (o.shaded && o.shaded.length > 0) legendItems.push({ name: o.shadedLabel ?? 'shaded', color: '#f2a900', kind: 'line' });
  const leg = legend(legendItems.map((l) => (l.name === (o.shadedLabel ?? 'shaded') && o.shaded?.length ? { ...l, kind: 'box' as const, opacity: 0.35 } : l)), 60, 40, w - 80);
  const top = 40 + leg.height + 4;
  const h = (o.height ?? 300) + leg.height;
  const frame: Frame = { w, h, left: 58, right: 16, top, bottom: 42 };
  const xs = o.series.flatMap((s) => s.x);
  const ys = o.series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]).filter(Number.isFinite);
  if (o.refY !== undefined) ys.push(o.refY);
  const xlo = xs.length ? Math.min(...xs) : 0;
  const xhi = xs.length ? Math.max(...xs) : 1;
  let ylo = ys.length ? Math.min(...ys) : 0;
  let yhi = ys.length ? Math.max(...ys) : 1;
  const pad = (yhi - ylo) * 0.05 || 1;
  ylo -= pad;
  yhi += pad;
  const yt = niceTicks(ylo, yhi, 5);
  const xt = niceTicks(xlo, xhi, 8).filter((t) => t >= xlo && t <= xhi && (!o.integerX || Number.isInteger(t)));
  const ax = axes(frame, { lo: xlo, hi: xhi, ticks: xt, label: o.xLabel }, { lo: Math.min(ylo, yt[0] ?? ylo), hi: Math.max(yhi, yt[yt.length - 1] ?? yhi), ticks: yt, label: o.yLabel });
  const body: string[] = [];
  for (const s of o.shaded ?? []) {
    const x0 = ax.sx(s.x0);
    const x1 = Math.max(ax.sx(s.x1), x0 + 0.5);
    body.push(`<rect x="${r2(x0)}" y="${top}" width="${r2(x1 - x0)}" height="${h - top - frame.bottom}" fill="#f2a900" fill-opacity="${r2(0.35 * s.weight)}"/>`);
  }
  if (o.refY !== undefined) {
    body.push(`<line x1="${frame.left}" x2="${w - frame.right}" y1="${r2(ax.sy(o.refY))}" y2="${r2(ax.sy(o.refY))}" stroke="#888" stroke-dasharray="3 3"/>`);
    if (o.refLabel !== undefined) {
      body.push(`<text x="${w - frame.right - 4}" y="${r2(ax.sy(o.refY) - 4)}" text-anchor="end" font-size="11" fill="#555">${esc(o.refLabel)}</text>`);
    }
  }
  if (!o.series.some((s) => s.y.some(Number.isFinite))) body.push(noData(frame, o.noDataNote));
  for (const s of o.series) {
    if (s.lo && s.hi && s.x.length > 0) {
      const upper = s.x.map((x, i) => `${r2(ax.sx(x))},${r2(ax.sy(s.hi![i]!))}`);
      const lower = s.x.map((x, i) => `${r2(ax.sx(x))},${r2(ax.sy(s.lo![i]!))}`).reverse();
      body.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    }
  }
  for (const s of o.series) {
    const pts = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y]) => `${r2(ax.sx(x))},${r2(ax.sy(y))}`).join(' ');
    body.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (pts.length <= 40) for (const [x, y] of pts) body.push(`<circle cx="${r2(ax.sx(x))}" cy="${r2(ax.sy(y))}" r="2.5" fill="${s.color}"/>`);
  }
  return svgDoc(o.id, w, h, o.title, ax.svg + body.join('') + leg.svg);
}

export interface BarGroup {
  readonly name: string;
  /** One bar per series, in series order; null: no bar. */
  readonly values: readonly ({ readonly mean: number; readonly err: number } | null)[];
}

/** A grouped bar chart with error bars (±err) and a legend of the series. */
export function barChart(o: { id: string; title: string; yLabel: string; series: readonly { name: string; color: string }[]; groups: readonly BarGroup[]; width?: number; height?: number }): string {
  const w = o.width ?? 640;
  const leg = legend(o.series.map((s) => ({ name: s.name, color: s.color, kind: 'box' as const })), 60, 40, w - 80);
  const top = 40 + leg.height + 4;
  const h = (o.height ?? 300) + leg.height;
  const frame: Frame = { w, h, left: 58, right: 16, top, bottom: 42 };
  const vals = o.groups.flatMap((g) => g.values.flatMap((v) => (v === null ? [] : [v.mean - (Number.isFinite(v.err) ? v.err : 0), v.mean + (Number.isFinite(v.err) ? v.err : 0)]))).filter(Number.isFinite);
  vals.push(0);
  let ylo = Math.min(...vals);
  let yhi = Math.max(...vals);
  const pad = (yhi - ylo) * 0.08 || 0.1;
  ylo = ylo < 0 ? ylo - pad : 0;
  yhi += pad;
  const yt = niceTicks(ylo, yhi, 5);
  const n = Math.max(1, o.groups.length);
  const ax = axes(frame, { lo: -0.5, hi: n - 0.5, ticks: o.groups.map((_, i) => i), label: '', tickLabel: (v) => o.groups[Math.round(v)]?.name ?? '' }, { lo: Math.min(ylo, yt[0] ?? ylo), hi: Math.max(yhi, yt[yt.length - 1] ?? yhi), ticks: yt, label: o.yLabel });
  const body: string[] = [`<line x1="${frame.left}" x2="${w - frame.right}" y1="${r2(ax.sy(0))}" y2="${r2(ax.sy(0))}" stroke="#444"/>`];
  const slot = (w - frame.left - frame.right) / n;
  const bw = Math.min(36, (slot * 0.8) / Math.max(1, o.series.length));
  o.groups.forEach((g, gi) => {
    g.values.forEach((v, si) => {
      if (v === null || !Number.isFinite(v.mean)) return;
      const cx = ax.sx(gi) + (si - (o.series.length - 1) / 2) * bw;
      const y0 = ax.sy(0);
      const y1 = ax.sy(v.mean);
      body.push(`<rect x="${r2(cx - bw / 2 + 1)}" y="${r2(Math.min(y0, y1))}" width="${r2(bw - 2)}" height="${r2(Math.abs(y1 - y0))}" fill="${o.series[si]!.color}"><title>${esc(`${g.name} ${o.series[si]!.name}: ${v.mean.toFixed(3)} ± ${Number.isFinite(v.err) ? v.err.toFixed(3) : '–'}`)}</title></rect>`);
      if (Number.isFinite(v.err) && v.err > 0) {
        const ya = ax.sy(v.mean - v.err);
        const yb = ax.sy(v.mean + v.err);
        body.push(`<line x1="${r2(cx)}" x2="${r2(cx)}" y1="${r2(ya)}" y2="${r2(yb)}" stroke="#111" stroke-width="1.2"/>`);
        body.push(`<line x1="${r2(cx - 4)}" x2="${r2(cx + 4)}" y1="${r2(ya)}" y2="${r2(ya)}" stroke="#111" stroke-width="1.2"/>`);
        body.push(`<line x1="${r2(cx - 4)}" x2="${r2(cx + 4)}" y1="${r2(yb)}" y2="${r2(yb)}" stroke="#111" stroke-width="1.2"/>`);
      }
    });
  });
  if (!o.groups.some((g) => g.values.some((v) => v !== null && Number.isFinite(v.mean)))) body.push(noData(frame));
  return svgDoc(o.id, w, h, o.title, ax.svg + body.join('') + leg.svg);
}

function svgDoc(id: string, w: number, h: number, title: string, inner: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" id="${esc(id)}" class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="${esc(title)}">` +
    `<rect width="${w}" height="${h}" fill="#fafafa"/><text x="${w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold" fill="#111">${esc(title)}</text>${inner}</svg>`;
}

/** A note in the middle of an empty plot, so an empty chart does not read as a chart of zeros. */
function noData(frame: Frame, note = 'no data: no run has finished this yet'): string {
  const x = (frame.left + frame.w - frame.right) / 2;
  const y = (frame.top + frame.h - frame.bottom) / 2;
  return `<text x="${r2(x)}" y="${r2(y)}" text-anchor="middle" font-size="13" fill="#777">${esc(note)}</text>`;
}
