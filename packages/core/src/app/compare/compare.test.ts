import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../testing/temp-dir.js';
import { join, relative } from 'node:path';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import type { RunManifest, RunSummary } from '../../engine/run/metric-records.js';
import { readEventFile } from '../report/read-event-file.js';
import { chartIds, renderReport } from '../report/report-html.js';
import { loadComparePlan } from './compare-config.js';
import { readMatrix } from './read-runs.js';
import { computeResults, formatCsv, formatMarkdown } from './results-table.js';
import { cellState, runMatrix, type CellOutcome } from './run-matrix.js';
import { mean, pairedTTest, sampleStd } from './statistics.js';
import { writeMatrixResults } from '../report/write-results.js';

const fixturePlugin = join(import.meta.dirname, 'test-fixtures', 'compare-plugin.mjs');

/** A folder with a compare config over the tiny dataset (base inline), loading the fixture plugin by path. */
function workspace(compare: Record<string, unknown>): { dir: string; file: string } {
  const dir = tempDir('compare');
  const file = join(dir, 'compare.json');
  const plugin = relative(dir, fixturePlugin);
  const base = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], train: { ...(TINY_EXPERIMENT['train'] as object), epochs: 3 } };
  writeFileSync(file, JSON.stringify({ name: 'tiny-compare', base, unimodal: false, output: { dir: 'out' }, ...compare }, null, 2));
  return { dir, file };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

test('a tiny compare, aborted after its first finished run and started again, finishes without redoing finished runs; the table matches the run folders', async () => {
  const { dir, file } = workspace({ seeds: [1, 2], strategies: [{ label: 'vanilla', use: 'vanilla' }, { label: 'plain', use: 'vanilla', options: {} }] });
  const plan = await loadComparePlan(file, { log: silentLogger() });
  assert.equal(plan.cells.length, 4);
  assert.deepEqual(plan.cells.map((c) => c.id), ['tiny/vanilla/seed1', 'tiny/vanilla/seed2', 'tiny/plain/seed1', 'tiny/plain/seed2']);
  assert.equal(plan.cells[0]!.dir, join(dir, 'out', 'tiny', 'vanilla', 'seed1'));

  // First invocation: abort as soon as one run has finished (the other running one is interrupted).
  const controller = new AbortController();
  const first: CellOutcome[] = await runMatrix({
    cells: plan.cells, experimentDir: plan.experimentDir, jobs: 2, log: silentLogger(), signal: controller.signal,
    onCellDone: (o) => {
      if (o.status === 'completed') controller.abort();
    },
  });
  const finished = plan.cells.filter((c) => cellState(c.dir) === 'completed').map((c) => c.id);
  assert.deepEqual(first.filter((o) => o.status === 'completed').map((o) => o.cell.id).sort(), [...finished].sort());
  assert.ok(finished.length >= 1 && finished.length < 4, `finished in the first invocation: ${finished.join(', ')}`);
  const startedAt = new Map(finished.map((id) => [id, readJson<RunManifest>(join(plan.outDir, id, 'manifest.json')).startedAt]));
  const resumable = plan.cells.filter((c) => cellState(c.dir) === 'resumable').map((c) => c.id);

  // Second invocation: finishes the matrix; finished runs are skipped, interrupted ones with a checkpoint resume.
  const started: string[] = [];
  const second = await runMatrix({ cells: plan.cells, experimentDir: plan.experimentDir, jobs: 2, log: silentLogger(), onCellStart: (c) => started.push(c.id) });
  assert.deepEqual(second.filter((o) => o.status === 'skipped').map((o) => o.cell.id).sort(), [...finished].sort());
  assert.deepEqual(started.sort(), plan.cells.map((c) => c.id).filter((id) => !finished.includes(id)).sort());
  for (const o of second) {
    if (resumable.includes(o.cell.id)) assert.equal(o.started, 'resumed', o.cell.id);
  }
  for (const cell of plan.cells) assert.equal(readJson<RunSummary>(join(cell.dir, 'summary.json')).status, 'completed', cell.id);
  for (const [id, at] of startedAt) assert.equal(readJson<RunManifest>(join(plan.outDir, id, 'manifest.json')).startedAt, at, `${id} was not redone`);
  assert.deepEqual(readdirSync(plan.experimentDir).filter((n) => n.startsWith('.ungreedy-cell-')), [], 'no cell config is left behind');

  // The table's numbers are those of the run folders.
  const written = writeMatrixResults(plan.outDir);
  const ds = written.table.datasets[0]!;
  const accOf = (label: string): number[] => [1, 2].map((s) => readJson<RunSummary>(join(plan.outDir, 'tiny', label, `seed${s}`, 'summary.json')).test!.acc);
  const vanilla = ds.rows.find((r) => r.label === 'vanilla')!;
  const plain = ds.rows.find((r) => r.label === 'plain')!;
  assert.deepEqual(vanilla.testAcc!.values, accOf('vanilla'));
  assert.equal(vanilla.testAcc!.mean, mean(accOf('vanilla')));
  assert.equal(vanilla.testAcc!.std, sampleStd(accOf('vanilla')));
  assert.deepEqual(plain.vsVanilla, pairedTTest(accOf('plain'), accOf('vanilla')));
  const dUtil = [1, 2].map((s) => readJson<RunSummary>(join(plan.outDir, 'tiny', 'vanilla', `seed${s}`, 'summary.json')).utilization!.dUtil);
  assert.equal(vanilla.dUtil!.mean, mean(dUtil));

  // Every output exists; report.html holds every chart as inline SVG and nothing external.
  for (const name of ['results.md', 'results.csv', 'results.json', 'results.tex', 'report.html']) assert.ok(existsSync(join(plan.outDir, name)), name);
  const html = readFileSync(join(plan.outDir, 'report.html'), 'utf8');
  for (const id of chartIds(ds)) assert.match(html, new RegExp(`<svg [^>]*id="${id}"`), id);
  assert.doesNotMatch(html, /<script|<link|src="http/);

  // Event files: one sub-run per head, every record's CRCs check, the scalars are the run's.
  const run = join(plan.outDir, 'tiny', 'vanilla', 'seed1');
  assert.deepEqual(readdirSync(join(run, 'tensorboard')).sort(), ['fused', 'head0-m0', 'head1-m1']);
  const summary = readJson<RunSummary>(join(run, 'summary.json'));
  const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch: number; test: { acc: number; accHeads: number[] } | null }).filter((r) => r.type === 'epoch');
  for (const sub of ['fused', 'head0-m0', 'head1-m1']) {
    const files = readdirSync(join(run, 'tensorboard', sub));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^events\.out\.tfevents\./);
    const events = readEventFile(join(run, 'tensorboard', sub, files[0]!));
    assert.equal(events.fileVersion, 'brain.Event:2');
    const test = events.scalars.filter((s) => s.tag === 'acc/test');
    assert.equal(test.length, epochs.length, sub);
    const expected = epochs.map((e) => (sub === 'fused' ? e.test!.acc : e.test!.accHeads[sub === 'head0-m0' ? 0 : 1]!));
    test.forEach((s, i) => assert.ok(Math.abs(s.value - expected[i]!) < 1e-4 * Math.max(1, Math.abs(expected[i]!)), `${sub} acc/test epoch ${s.step}`));
    if (sub === 'fused') assert.ok(events.scalars.some((s) => s.tag === 'speed/d_speed'));
    else assert.equal(events.scalars.find((s) => s.tag === 'util/u')!.value, Math.fround(summary.utilization!.u[sub === 'head0-m0' ? 0 : 1]!));
  }

  // `ungreedy report` rebuilds the same table from the folders alone (without compare.json too).
  const io = capture(dir);
  assert.equal(await main(['report', 'out'], io), 0, io.errLines.join('\n'));
  assert.equal(readFileSync(join(plan.outDir, 'results.md'), 'utf8'), written.markdown);
  const walked = readMatrix(join(plan.outDir, 'tiny', '..'));
  assert.equal(walked.runs.length, 4);
  assert.match(io.outLines.at(-1)!, /\(4 run folders read: 4 completed\)$/);
  // A partial matrix: run folders are counted, not the cells compare.json lists.
  rmSync(join(plan.outDir, 'tiny', 'plain', 'seed2'), { recursive: true });
  mkdirSync(join(plan.outDir, 'tiny', 'plain', 'seed2')); // a cell folder with no run in it yet
  const partial = capture(dir);
  assert.equal(await main(['report', 'out'], partial), 0, partial.errLines.join('\n'));
  assert.match(partial.outLines.at(-1)!, /\(3 run folders read: 3 completed(; 1 of the matrix's 4 runs not started)?\)$/);
});

test('a failing run is reported with its error code, the others finish, and compare exits 1', async () => {
  const { dir } = workspace({ seeds: [1], strategies: [{ label: 'vanilla', use: 'vanilla' }, { label: 'broken', use: 'broken' }] });
  const io = capture(dir);
  const code = await main(['compare', 'compare.json', '--jobs', '2'], io);
  assert.equal(code, 1, io.errLines.join('\n'));
  assert.match(io.errLines.join('\n'), /^UNG_ERR_COMPARE_FAILED: /m);
  assert.ok(io.outLines.some((l) => /tiny\/broken\/seed1: FAILED .*UNG_ERR_HOOK_FAILED/.test(l)), io.outLines.join('\n'));
  assert.ok(io.outLines.some((l) => /tiny\/vanilla\/seed1: completed/.test(l)));
  const results = readJson<{ datasets: { rows: { label: string; completed: number[]; failed: { seed: number; code: string }[] }[] }[] }>(join(dir, 'out', 'results.json'));
  const broken = results.datasets[0]!.rows.find((r) => r.label === 'broken')!;
  assert.deepEqual(broken.failed.map((f) => [f.seed, f.code]), [[1, 'UNG_ERR_HOOK_FAILED']]);
  assert.deepEqual(results.datasets[0]!.rows.find((r) => r.label === 'vanilla')!.completed, [1]);
  assert.match(readFileSync(join(dir, 'out', 'results.md'), 'utf8'), /broken ⚠ seed 1: UNG_ERR_HOOK_FAILED/);
  // Started again, the failed run is retried (its folder kept aside) and the completed one is kept.
  const again = capture(dir);
  assert.equal(await main(['compare', 'compare.json'], again), 1);
  assert.ok(again.outLines.some((l) => /tiny\/vanilla\/seed1: already completed/.test(l)));
  assert.ok(existsSync(join(dir, 'out', 'tiny', 'broken', 'seed1.failed-1', 'manifest.json')));
});

test('table statistics on hand-made run folders: mean, sample std, paired t against vanilla, best uni-modal row first', () => {
  const out = tempDir('table');
  const acc: Record<string, number[]> = { vanilla: [10, 20, 30], guided: [14, 25, 33], rubi: [11, 19, 30] };
  const dUtil: Record<string, number[]> = { vanilla: [0.5, 0.7, 0.9], guided: [0.1, 0.2, 0.3], rubi: [0.4, 0.4, 0.4] };
  const uni: Record<string, number[]> = { 'unimodal-m0': [40, 42, 44], 'unimodal-m1': [12, 13, 14] };
  const write = (label: string, seed: number, summary: Partial<RunSummary>): void => {
    const d = join(out, 'cm', label, `seed${seed}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'manifest.json'), JSON.stringify({ status: 'completed', startedAt: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(d, 'summary.json'), JSON.stringify({ status: 'completed', name: label, seed, error: null, ...summary }));
    writeFileSync(join(d, 'metrics.jsonl'), `${JSON.stringify({ type: 'epoch', epoch: 1, lr: 0.1, train: null, val: null, test: { loss: 1, acc: summary.test?.acc ?? 0, accHeads: summary.test?.accHeads ?? [], samples: 10 }, evalMode: { kind: 'regular' }, stepsByMode: {}, seconds: 1 })}\n`);
  };
  for (const [label, values] of Object.entries(acc)) {
    values.forEach((a, i) => write(label, i + 1, {
      strategy: label, modalities: [0, 1], modalityNames: ['gray', 'color'], test: { acc: a, accHeads: [a + 1, a - 1] },
      utilization: { type: 'utilization', checkpoint: 'best', epoch: 1, denominator: 'branch', acc: a, accHeads: [a + 1, a - 1], accHeadsAblated: [0, 0], u: [dUtil[label]![i]!, 0], dUtil: dUtil[label]![i]! },
    }));
  }
  for (const [label, values] of Object.entries(uni)) {
    const m = label.endsWith('0') ? 0 : 1;
    values.forEach((a, i) => write(label, i + 1, { strategy: 'vanilla', modalities: [m], modalityNames: [m === 0 ? 'gray' : 'color'], test: { acc: a, accHeads: [a] }, utilization: null }));
  }
  // A failed seed of guided is reported and left out of its statistics.
  const failed = join(out, 'cm', 'guided', 'seed4');
  mkdirSync(failed, { recursive: true });
  writeFileSync(join(failed, 'manifest.json'), JSON.stringify({ status: 'failed', error: { code: 'UNG_ERR_RUN_DIVERGED', message: 'nan' } }));
  // A running seed of rubi is pending: neither failed nor counted.
  const running = join(out, 'cm', 'rubi', 'seed5');
  mkdirSync(running, { recursive: true });
  writeFileSync(join(running, 'manifest.json'), JSON.stringify({ status: 'running', error: null }));

  const { index, runs } = readMatrix(out);
  const table = computeResults(index, runs);
  const ds = table.datasets[0]!;
  assert.deepEqual(ds.rows.map((r) => r.label), ['unimodal-m0', 'vanilla', 'rubi', 'guided']);
  assert.deepEqual(ds.modalityNames, ['gray', 'color']);
  const [best, vanilla, rubi, guided] = ds.rows as [typeof ds.rows[0], typeof ds.rows[0], typeof ds.rows[0], typeof ds.rows[0]];
  assert.equal(best.testAcc!.mean, 42);
  assert.equal(best.testAcc!.std, 2);
  assert.deepEqual(best.heads.map((h) => h?.mean ?? null), [42, null]);
  assert.equal(vanilla.testAcc!.mean, 20);
  assert.equal(vanilla.testAcc!.std, 10);
  assert.ok(Math.abs(vanilla.dUtil!.mean - 0.7) < 1e-12);
  assert.ok(Math.abs(vanilla.dUtil!.std - 0.2) < 1e-12);
  assert.deepEqual(vanilla.heads.map((h) => h!.mean), [21, 19]);
  assert.equal(vanilla.vsVanilla, null);
  // guided − vanilla = 4, 5, 3: mean 4, sd 1, t = 4 / (1 / √3) = 6.9282, df 2, two-sided p = 0.020204.
  assert.equal(guided.vsVanilla!.n, 3);
  assert.equal(guided.vsVanilla!.meanDiff, 4);
  assert.ok(Math.abs(guided.vsVanilla!.t - 4 * Math.sqrt(3)) < 1e-9);
  assert.ok(Math.abs(guided.vsVanilla!.p - 0.020204) < 1e-5, String(guided.vsVanilla!.p));
  assert.deepEqual(guided.failed, [{ seed: 4, code: 'UNG_ERR_RUN_DIVERGED', message: 'nan' }]);
  assert.deepEqual(guided.completed, [1, 2, 3]);
  assert.deepEqual(rubi.pending, [5]);
  assert.deepEqual(rubi.failed, []);
  assert.deepEqual(rubi.completed, [1, 2, 3]);
  // rubi − vanilla = 1, −1, 0: mean 0, t = 0, p = 1.
  assert.equal(rubi.vsVanilla!.t, 0);
  assert.ok(Math.abs(rubi.vsVanilla!.p - 1) < 1e-12);
  assert.equal(ds.unimodal.length, 2);

  const md = formatMarkdown(table);
  assert.match(md, /\| uni-modal \(best: gray\) \| 3\/3 \| 42\.00 ± 2\.00 \| 42\.00 ± 2\.00 \| – \|/);
  assert.match(md, /\| guided ⚠ seed 4: UNG_ERR_RUN_DIVERGED \| 3\/4 \| 24\.00 ± 9\.54 \|.* \+4\.00 \(t=6\.93, p=0\.020, n=3\) \|/);
  assert.match(md, /\| rubi \(pending: seed 5\) \| 3\/4 \|/);
  assert.match(md, /Other uni-modal baselines: uni-modal \(color\) 13\.00 ± 1\.00 %/);
  const csv = formatCsv(table).trim().split('\n');
  const header = csv[0]!.split(',');
  const guidedLine = csv.find((l) => l.includes(',guided,guided,'))!.split(',');
  assert.equal(Number(guidedLine[header.indexOf('test_acc_mean')]), 24);
  assert.equal(Number(guidedLine[header.indexOf('vs_vanilla_diff')]), 4);
  assert.equal(guidedLine[header.indexOf('failed')], 'seed4:UNG_ERR_RUN_DIVERGED');
});

test('compare config problems are reported together with pointers into the compare file', async () => {
  const { file } = workspace({
    seeds: [1, 1],
    strategies: [{ label: 'vanilla', use: 'vanilla', options: { alpha: 1 } }, { label: 'x', use: 'vanila' }],
    unimodl: true,
  });
  await assert.rejects(loadComparePlan(file, { log: silentLogger() }), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'));
    const issues = (err.data as { issues: { pointer: string; suggestion?: string }[] }).issues;
    assert.deepEqual(issues.map((i) => i.pointer).sort(), ['/seeds', '/unimodl'].sort());
    assert.equal(issues.find((i) => i.pointer === '/unimodl')!.suggestion, 'unimodal');
    return true;
  });
  const second = workspace({ strategies: [{ label: 'vanilla', use: 'vanilla', options: { alpha: 1 } }, { label: 'x', use: 'vanila' }] });
  await assert.rejects(loadComparePlan(second.file, { log: silentLogger() }), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'));
    const issues = (err.data as { issues: { pointer: string; suggestion?: string }[] }).issues;
    assert.deepEqual(issues.map((i) => i.pointer), ['/strategies/0/options/alpha', '/strategies/1/use']);
    assert.equal(issues[1]!.suggestion, 'vanilla');
    return true;
  });
});

test('uni-modal baselines: one per modality, strategy vanilla, model.modalities [k]', async () => {
  const { file } = workspace({ seeds: [3], unimodal: true, strategies: [{ label: 'vanilla', use: 'vanilla' }] });
  const plan = await loadComparePlan(file, { log: silentLogger() });
  assert.deepEqual(plan.cells.map((c) => c.id), ['tiny/unimodal-m0/seed3', 'tiny/unimodal-m1/seed3', 'tiny/vanilla/seed3']);
  const uni = plan.cells[1]!.experiment as { model: { modalities: number[] }; strategy: { use: string }; seed: number; output: { runName: string } };
  assert.deepEqual(uni.model.modalities, [1]);
  assert.equal(uni.strategy.use, 'vanilla');
  assert.equal(uni.seed, 3);
  assert.equal(uni.output.runName, 'seed3');
});

test('listed datasets replace the base dataset (options not merged) and repeat the matrix per dataset', async () => {
  const { file } = workspace({
    seeds: [1],
    strategies: [{ label: 'vanilla', use: 'vanilla' }],
    datasets: [
      { label: 'easy', use: 'tiny', options: { sizes: { train: 8, val: 4, test: 4 } } },
      { label: 'hard', use: 'tiny', options: { numClasses: 4, sizes: { train: 8, val: 4, test: 4 }, modalities: [{ shape: [4], signal: 0.2, noise: 1 }, { shape: [4], signal: 1, noise: 1 }] } },
    ],
  });
  const plan = await loadComparePlan(file, { log: silentLogger() });
  assert.deepEqual(plan.datasets, ['easy', 'hard']);
  assert.deepEqual(plan.cells.map((c) => c.id), ['easy/vanilla/seed1', 'hard/vanilla/seed1']);
  const hard = plan.cells[1]!.experiment as { dataset: { use: string; options: { numClasses: number; sizes: { train: number } } } };
  assert.equal(hard.dataset.options.numClasses, 4);
  assert.equal(hard.dataset.options.sizes.train, 8);
  // The base's numClasses (3) and modalities do not leak into a listed dataset that leaves them out.
  assert.deepEqual((plan.cells[0]!.experiment as { dataset: unknown }).dataset, { use: 'tiny', options: { sizes: { train: 8, val: 4, test: 4 } } });
  assert.equal(plan.cells[1]!.dir, join(plan.outDir, 'hard', 'vanilla', 'seed1'));
});

test('a strategy row\'s config patch applies to that row only; its problems point into the row', async () => {
  const { file } = workspace({
    seeds: [1],
    unimodal: false,
    strategies: [
      { label: 'vanilla', use: 'vanilla' },
      { label: 'own-setting', use: 'vanilla', config: { train: { batchSize: 4 } } },
    ],
  });
  const plan = await loadComparePlan(file, { log: silentLogger() });
  const batch = (i: number) => (plan.cells[i]!.experiment as { train: { batchSize: number; epochs: number } }).train;
  assert.equal(batch(1).batchSize, 4);
  assert.notEqual(batch(0).batchSize, 4);
  assert.equal(batch(1).epochs, batch(0).epochs, 'the rest of train comes from the base');
  const bad = workspace({ seeds: [1], unimodal: false, strategies: [{ label: 'v', use: 'vanilla', config: { train: { batchSize: 0 } } }] });
  await assert.rejects(loadComparePlan(bad.file, { log: silentLogger() }), (err: { code: string; data: { issues: { pointer: string }[] } }) => {
    assert.equal(err.code, 'UNG_ERR_CONFIG_INVALID');
    assert.deepEqual(err.data.issues.map((i) => i.pointer), ['/strategies/0/config/train/batchSize']);
    return true;
  });
});

function capture(cwd: string): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { out: (l) => outLines.push(l), err: (l) => errLines.push(l), cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false, outLines, errLines };
}

test('strategy metrics: the compare table gives each one\'s last-epoch mean ± std over seeds (epoch value, else the steps\' mean)', () => {
  const out = tempDir('table-sm');
  const rho = [1, 3];
  const k = [[0.5, 0.7], [0.1, 0.3]];
  for (const seed of [1, 2]) {
    const d = join(out, 'cm', 'ogm', `seed${seed}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'manifest.json'), JSON.stringify({ status: 'completed', startedAt: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(d, 'summary.json'), JSON.stringify({ status: 'completed', name: 'ogm', seed, error: null, strategy: 'ogm', modalities: [0, 1], modalityNames: ['a', 'b'], test: { acc: 50, accHeads: [50, 50] }, utilization: null }));
    const epoch = (e: number, strategy: object) => ({ type: 'epoch', epoch: e, lr: 0.1, train: null, val: null, test: null, evalMode: { kind: 'regular' }, stepsByMode: {}, seconds: 1, strategy });
    const step = (s: number, e: number, v: number) => ({ type: 'step', step: s, epoch: e, mode: { kind: 'regular' }, loss: 1, s: [], dSpeed: null, mu: { main: [], bypass: [] }, strategy: { 'o/ogm/k': v } });
    const lines = [step(0, 1, 9), epoch(1, { 'o/ogm/rho': 100 }), step(1, 2, k[seed - 1]![0]!), step(2, 2, k[seed - 1]![1]!), epoch(2, { 'o/ogm/rho': rho[seed - 1]! })];
    writeFileSync(join(d, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
  const { index, runs } = readMatrix(out);
  const row = computeResults(index, runs).datasets[0]!.rows[0]!;
  assert.equal(row.strategyMetrics!['o/ogm/rho']!.mean, 2);
  assert.ok(Math.abs(row.strategyMetrics!['o/ogm/rho']!.std - Math.SQRT2) < 1e-12);
  // Per run the mean of epoch 2's steps: 0.6 and 0.2 → mean 0.4.
  assert.ok(Math.abs(row.strategyMetrics!['o/ogm/k']!.mean - 0.4) < 1e-12);
  assert.match(formatMarkdown(computeResults(index, runs)), /- ogm: o\/ogm\/k 0\.4000 ± 0\.2828; o\/ogm\/rho 2\.0000 ± 1\.4142/);
  // The report shows the same numbers in its "Method quantities" table.
  assert.match(renderReport(computeResults(index, runs), runs), /<h3>Method quantities<\/h3>[\s\S]*<td>o\/ogm\/k<\/td><td>0\.4000 ± 0\.2828<\/td><td>2<\/td>/);
});
