import { mean, pairedTTest, sampleStd, type PairedTest } from './statistics.js';
import type { MatrixIndex, RunRecords } from './read-runs.js';

/** Mean ± sample std over the seeds that completed, with the values themselves (by seed). */
export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
  readonly values: readonly number[];
}

/** One row of a results table: a strategy (or the best uni-modal baseline) over its seeds. */
export interface ResultRow {
  readonly label: string;
  /** `unimodal`: a uni-modal baseline (the table's first row is the best of them); else the strategy id. */
  readonly use: string;
  readonly unimodal: number | null;
  readonly seeds: readonly number[];
  /** Seeds whose run completed, in `seeds` order; every Stat below is over these. */
  readonly completed: readonly number[];
  readonly failed: readonly { readonly seed: number; readonly code: string; readonly message: string }[];
  /** Seeds whose run is not finished yet (not started, running or interrupted). */
  readonly pending: readonly number[];
  /** Fused test accuracy (%) of the evaluated checkpoint. */
  readonly testAcc: Stat | null;
  /** Test accuracy (%) of each modality's head, by dataset modality index; null where the row has no such head. */
  readonly heads: readonly (Stat | null)[];
  /** u_k = u(others | m_k) by modality; null for uni-modal rows or runs without utilization. */
  readonly u: readonly (Stat | null)[];
  readonly dUtil: Stat | null;
  /** Paired test-accuracy difference (this − vanilla) on the seeds both completed; null for vanilla itself. */
  readonly vsVanilla: PairedTest | null;
  /**
   * Strategy metrics (`ctx.metrics.record`, docs/hooks.md) over the completed seeds, by namespaced name: per run the
   * last epoch's value (its EpochRecord's, else the mean over that epoch's steps). Empty when the strategy records none.
   */
  readonly strategyMetrics?: Readonly<Record<string, Stat>>;
}

export interface DatasetResults {
  readonly dataset: string;
  readonly modalityNames: readonly string[];
  /** Paper order: uni-modal (best), vanilla, RUBi, random, guided, then any other strategy in config order. */
  readonly rows: readonly ResultRow[];
  /** Every uni-modal baseline (the best is also `rows[0]`). */
  readonly unimodal: readonly ResultRow[];
}

export interface ResultsTable {
  readonly name: string;
  readonly datasets: readonly DatasetResults[];
}

const PAPER_ORDER = ['vanilla', 'rubi', 'random', 'guided'];

/**
 * Aggregates run folders into the paper's table: per dataset and row, mean ± std over seeds of the test accuracy,
 * each head's accuracy, u per modality and d_util (all of the evaluated checkpoint, from summary.json), and the
 * paired t-test of test accuracy against vanilla on the same seeds.
 */
export function computeResults(index: MatrixIndex, runs: readonly RunRecords[]): ResultsTable {
  const datasets: DatasetResults[] = [];
  for (const dataset of index.datasets) {
    const dsRuns = runs.filter((r) => r.dataset === dataset);
    const names = modalityNames(dsRuns);
    const labels = [...index.labels.filter((l) => dsRuns.some((r) => r.label === l)), ...unique(dsRuns.map((r) => r.label)).filter((l) => !index.labels.includes(l))];
    const rowsByLabel = labels.map((label) => buildRow(label, dsRuns.filter((r) => r.label === label), names.length));
    // The baseline: the row labelled vanilla, else the first vanilla-strategy row (never a uni-modal one).
    const vanilla = rowsByLabel.find((r) => r.use === 'vanilla' && r.label === 'vanilla') ?? rowsByLabel.find((r) => r.use === 'vanilla');
    const vanillaRuns = vanilla ? dsRuns.filter((r) => r.label === vanilla.label) : [];
    const withPaired = rowsByLabel.map((row) => (row === vanilla ? row : { ...row, vsVanilla: paired(dsRuns.filter((r) => r.label === row.label), vanillaRuns) }));
    const unimodal = withPaired.filter((r) => r.unimodal !== null);
    const best = [...unimodal].sort((a, b) => (b.testAcc?.mean ?? -Infinity) - (a.testAcc?.mean ?? -Infinity))[0];
    const strategies = withPaired.filter((r) => r.unimodal === null);
    const order = (r: ResultRow): number => {
      const i = PAPER_ORDER.indexOf(r.use);
      return i === -1 ? PAPER_ORDER.length : i;
    };
    const sorted = strategies.map((r, i) => ({ r, i })).sort((a, b) => order(a.r) - order(b.r) || a.i - b.i).map((x) => x.r);
    datasets.push({ dataset, modalityNames: names, rows: best ? [best, ...sorted] : sorted, unimodal });
  }
  return { name: index.name, datasets };
}

function buildRow(label: string, runs: readonly RunRecords[], modalityCount: number): ResultRow {
  const sortedRuns = [...runs].sort((a, b) => a.seed - b.seed);
  const done = sortedRuns.filter((r) => r.summary?.status === 'completed' && r.summary.test !== null);
  const first = sortedRuns[0];
  const unimodal = first?.kind.type === 'unimodal' ? first.kind.modality : null;
  const use = first === undefined ? 'unknown' : first.kind.type === 'unimodal' ? 'vanilla' : first.kind.use;
  const stat = (values: readonly number[]): Stat | null => (values.length === 0 ? null : { mean: mean(values), std: sampleStd(values), n: values.length, values });
  const heads: (Stat | null)[] = [];
  const u: (Stat | null)[] = [];
  for (let k = 0; k < modalityCount; k++) {
    heads.push(stat(done.map((r) => headAcc(r, k)).filter((x): x is number => x !== null)));
    u.push(unimodal !== null ? null : stat(done.map((r) => r.summary!.utilization?.u[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))));
  }
  return {
    label,
    use: unimodal !== null ? 'unimodal' : use,
    unimodal,
    seeds: sortedRuns.map((r) => r.seed),
    completed: done.map((r) => r.seed),
    failed: sortedRuns.filter((r) => !done.includes(r) && !r.pending).map((r) => ({ seed: r.seed, code: r.error?.code ?? 'UNG_ERR_RUN_FAILED', message: r.error?.message ?? '' })),
    pending: sortedRuns.filter((r) => !done.includes(r) && r.pending).map((r) => r.seed),
    testAcc: stat(done.map((r) => r.summary!.test!.acc)),
    heads,
    u,
    dUtil: unimodal !== null ? null : stat(done.map((r) => r.summary!.utilization?.dUtil).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))),
    vsVanilla: null,
    ...strategyMetricStats(done, stat),
  };
}

/** Last-epoch strategy metrics per run, aggregated over runs (only names some run recorded). */
function strategyMetricStats(
  runs: readonly RunRecords[],
  stat: (values: readonly number[]) => Stat | null,
): { strategyMetrics?: Record<string, Stat> } {
  const perRun = runs.map((r) => lastEpochStrategyMetrics(r));
  const names = [...new Set(perRun.flatMap((m) => Object.keys(m)))].sort();
  if (names.length === 0) return {};
  const out: Record<string, Stat> = {};
  for (const name of names) {
    const s = stat(perRun.flatMap((m) => (m[name] === undefined ? [] : [m[name]!])));
    if (s) out[name] = s;
  }
  return { strategyMetrics: out };
}

function lastEpochStrategyMetrics(run: RunRecords): Record<string, number> {
  const last = run.epochs.at(-1);
  if (!last) return {};
  const sums = new Map<string, { sum: number; n: number }>();
  for (const step of run.steps) {
    if (step.epoch !== last.epoch) continue;
    for (const [name, v] of Object.entries(step.strategy ?? {})) {
      const acc = sums.get(name) ?? { sum: 0, n: 0 };
      sums.set(name, { sum: acc.sum + v, n: acc.n + 1 });
    }
  }
  return { ...Object.fromEntries([...sums].map(([name, { sum, n }]) => [name, sum / n])), ...(last.strategy ?? {}) };
}

/** Test accuracy of the head of dataset modality k in a run (a uni-modal run has one head, for its modality). */
function headAcc(run: RunRecords, k: number): number | null {
  const s = run.summary;
  if (s === null || s.test === null) return null;
  const pos = s.modalities.indexOf(k);
  return pos === -1 ? null : (s.test.accHeads[pos] ?? null);
}

function paired(runs: readonly RunRecords[], baseline: readonly RunRecords[]): PairedTest | null {
  const a: number[] = [];
  const b: number[] = [];
  for (const r of runs) {
    const base = baseline.find((x) => x.seed === r.seed);
    if (r.summary?.status === 'completed' && r.summary.test && base?.summary?.status === 'completed' && base.summary.test) {
      a.push(r.summary.test.acc);
      b.push(base.summary.test.acc);
    }
  }
  return a.length === 0 ? null : pairedTTest(a, b);
}

function modalityNames(runs: readonly RunRecords[]): string[] {
  const multi = runs.find((r) => r.summary !== null && r.summary.modalities.length > 1);
  if (multi?.summary) {
    const names: string[] = [];
    multi.summary.modalities.forEach((m, i) => (names[m] = multi.summary!.modalityNames[i] ?? `m${m}`));
    return Array.from({ length: names.length }, (_, i) => names[i] ?? `m${i}`);
  }
  const names: string[] = [];
  for (const r of runs) if (r.summary) r.summary.modalities.forEach((m, i) => (names[m] ??= r.summary!.modalityNames[i] ?? `m${m}`));
  return Array.from({ length: Math.max(names.length, 0) }, (_, i) => names[i] ?? `m${i}`);
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** The row's name as the table shows it: `uni-modal (best: gray)`, `vanilla`, `guided`, … */
export function rowTitle(row: ResultRow, ds: DatasetResults, isBest: boolean): string {
  if (row.unimodal !== null) {
    const name = ds.modalityNames[row.unimodal] ?? `m${row.unimodal}`;
    return isBest ? `uni-modal (best: ${name})` : `uni-modal (${name})`;
  }
  return row.label;
}

/** Column headers of the per-modality u values: u(color|gray) = u_0 for two modalities. */
export function uHeader(names: readonly string[], k: number): string {
  if (names.length === 2) return `u(${names[1 - k]}|${names[k]})`;
  return `u(·|${names[k]})`;
}

// ---------- formatting ----------

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits).replace(/^-/, '−') : x === Infinity ? '∞' : x === -Infinity ? '−∞' : '–');
const pm = (s: Stat | null, digits: number): string => (s === null ? '–' : s.n < 2 ? fmt(s.mean, digits) : `${fmt(s.mean, digits)} ± ${fmt(s.std, digits)}`);
const signed = (x: number, digits: number): string => (x > 0 ? `+${fmt(x, digits)}` : fmt(x, digits));
const pValue = (p: number): string => (!Number.isFinite(p) ? 'p=–' : p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`);

function pairedText(t: PairedTest | null): string {
  if (t === null) return '–';
  return `${signed(t.meanDiff, 2)} (t=${fmt(t.t, 2)}, ${pValue(t.p)}, n=${t.n})`;
}

/** A cell whose files break their schema reads "corrupt" (the code says more), never "pending". */
export function failureWord(code: string): string {
  return code === 'UNG_ERR_RUN_FILE_CORRUPT' ? `corrupt (${code})` : code;
}

function failedNote(row: ResultRow): string {
  const failed = row.failed.length === 0 ? '' : ` ⚠ ${row.failed.map((f) => `seed ${f.seed}: ${failureWord(f.code)}`).join('; ')}`;
  const pending = row.pending.length === 0 ? '' : ` (pending: seed ${row.pending.join(', ')})`;
  return failed + pending;
}

/** `results.md`: one Markdown table per dataset, then the other uni-modal baselines and failures. */
export function formatMarkdown(table: ResultsTable): string {
  const out: string[] = [`# ${table.name}`, ''];
  for (const ds of table.datasets) {
    const names = ds.modalityNames;
    out.push(`## ${ds.dataset}`, '');
    const header = ['', 'seeds', 'test acc (%)', ...names.map((n) => `${n} head (%)`), ...names.map((_, k) => uHeader(names, k)), 'd_util', 'Δ acc vs vanilla (paired t)'];
    // A literal | inside a cell (u(color|gray)) would split the column: escape it.
    out.push(`| ${header.map((h) => h.replace(/\|/g, '\\|')).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`);
    ds.rows.forEach((row, i) => {
      const cells = [
        rowTitle(row, ds, i === 0 && row.unimodal !== null) + failedNote(row),
        `${row.completed.length}/${row.seeds.length}`,
        pm(row.testAcc, 2),
        ...names.map((_, k) => pm(row.heads[k] ?? null, 2)),
        ...names.map((_, k) => pm(row.u[k] ?? null, 3)),
        pm(row.dUtil, 3),
        pairedText(row.vsVanilla),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    });
    out.push('');
    const others = ds.unimodal.filter((r) => r !== ds.rows[0]);
    if (others.length > 0) {
      out.push(`Other uni-modal baselines: ${others.map((r) => `${rowTitle(r, ds, false)} ${pm(r.testAcc, 2)} %`).join('; ')}.`, '');
    }
    const metricLines = ds.rows.flatMap((r) =>
      r.strategyMetrics && Object.keys(r.strategyMetrics).length > 0
        ? [`- ${r.label}: ${Object.entries(r.strategyMetrics).map(([name, st]) => `${name} ${pm(st, 4)}`).join('; ')}`]
        : [],
    );
    if (metricLines.length > 0) out.push('Strategy metrics (last epoch, mean ± std over seeds):', '', ...metricLines, '');
    const failures = ds.rows.concat(others).flatMap((r) => r.failed.map((f) => `- ${r.label} seed ${f.seed}: ${f.code}: ${f.message}`));
    if (failures.length > 0) out.push('Failed runs (left out of the statistics):', '', ...failures, '');
  }
  out.push(
    'Mean ± sample std over seeds of the evaluated checkpoint. u(a|b): conditional utilization rate of modality a by the branch of b;',
    'd_util = u(m1|m0) − u(m0|m1). Δ: paired difference of test accuracy against vanilla on the same seeds, two-sided paired t-test.',
    '',
  );
  return out.join('\n');
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** `results.csv`: one line per dataset and row, full precision, empty cells for absent values. */
export function formatCsv(table: ResultsTable): string {
  const maxModalities = Math.max(0, ...table.datasets.map((d) => d.modalityNames.length));
  const header = ['dataset', 'row', 'label', 'strategy', 'seeds', 'completed', 'test_acc_mean', 'test_acc_std'];
  for (let k = 0; k < maxModalities; k++) header.push(`head${k}_name`, `head${k}_acc_mean`, `head${k}_acc_std`, `u${k}_mean`, `u${k}_std`);
  header.push('d_util_mean', 'd_util_std', 'vs_vanilla_diff', 'vs_vanilla_t', 'vs_vanilla_p', 'vs_vanilla_n', 'failed', 'pending');
  const lines = [header.join(',')];
  for (const ds of table.datasets) {
    const all = [...ds.rows, ...ds.unimodal.filter((r) => r !== ds.rows[0])];
    all.forEach((row, i) => {
      const cells: (string | number | null)[] = [ds.dataset, rowTitle(row, ds, i === 0 && row.unimodal !== null), row.label, row.use, row.seeds.join(' '), row.completed.join(' '), row.testAcc?.mean ?? null, row.testAcc?.std ?? null];
      for (let k = 0; k < maxModalities; k++) {
        const h = row.heads[k] ?? null;
        const u = row.u[k] ?? null;
        cells.push(ds.modalityNames[k] ?? null, h?.mean ?? null, h?.std ?? null, u?.mean ?? null, u?.std ?? null);
      }
      cells.push(row.dUtil?.mean ?? null, row.dUtil?.std ?? null, row.vsVanilla?.meanDiff ?? null, row.vsVanilla?.t ?? null, row.vsVanilla?.p ?? null, row.vsVanilla?.n ?? null, row.failed.map((f) => `seed${f.seed}:${f.code}`).join(' '), row.pending.join(' '));
      lines.push(cells.map(csvCell).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}

const tex = (s: string): string => s.replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}').replace(/\^/g, '\\textasciicircum{}');
const texPm = (s: Stat | null, digits: number): string => (s === null ? '--' : s.n < 2 ? `$${s.mean.toFixed(digits)}$` : `$${s.mean.toFixed(digits)} \\pm ${s.std.toFixed(digits)}$`);

/** `results.tex`: a booktabs table per dataset (test accuracy, heads, d_util, paired difference). */
export function formatLatex(table: ResultsTable): string {
  const out: string[] = [`% ${tex(table.name)}: generated by ungreedy compare; needs \\usepackage{booktabs}`];
  for (const ds of table.datasets) {
    const names = ds.modalityNames;
    out.push('\\begin{table}[t]', '\\centering', `\\caption{${tex(table.name)}: ${tex(ds.dataset)}. Test accuracy (\\%), mean $\\pm$ std over seeds; $\\Delta$: paired difference to vanilla.}`);
    out.push(`\\begin{tabular}{l${'r'.repeat(2 + names.length)}r}`, '\\toprule');
    out.push(`Method & Test acc. & ${names.map((n) => `${tex(n)} head`).join(' & ')} & $d_{\\mathrm{util}}$ & $\\Delta$ vs vanilla \\\\`, '\\midrule');
    ds.rows.forEach((row, i) => {
      const t = row.vsVanilla;
      const delta = t === null ? '--' : `$${t.meanDiff >= 0 ? '+' : ''}${t.meanDiff.toFixed(2)}$ ($p=${Number.isFinite(t.p) ? t.p.toFixed(3) : '--'}$)`;
      out.push(`${tex(rowTitle(row, ds, i === 0 && row.unimodal !== null))}${row.failed.length > 0 ? '$^\\dagger$' : ''} & ${texPm(row.testAcc, 2)} & ${names.map((_, k) => texPm(row.heads[k] ?? null, 2)).join(' & ')} & ${texPm(row.dUtil, 3)} & ${delta} \\\\`);
    });
    out.push('\\bottomrule', '\\end{tabular}', '\\end{table}', '');
  }
  return out.join('\n');
}

/** `results.json`: the whole table, machine-readable (NaN and ±Infinity as null). */
export function formatJson(table: ResultsTable): string {
  return `${JSON.stringify(table, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
