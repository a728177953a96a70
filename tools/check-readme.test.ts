// The README's quickstart tables and its zoo table are the shipped result files (tools/check-quickstart-table.mjs), and the quickstart
// a user runs produces those files (checked after `npm start` by tools/check-front-door.sh in CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs tool script without type declarations
import { SHIPPED, ZOO_SHIPPED, readmeTable, readmeZooBlock, tableOf, zooBlockOf } from './check-quickstart-table.mjs';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

for (const kernels of ['native', 'wasm'] as const) {
  test(`the README's ${kernels} quickstart table is recipes/results' ${kernels} table`, () => {
    const shipped = tableOf(readFileSync((SHIPPED as Record<string, string>)[kernels]!, 'utf8')) as string | undefined;
    assert.ok(shipped !== undefined && shipped.split('\n').length >= 7, `no table in ${(SHIPPED as Record<string, string>)[kernels]}`);
    assert.equal(readmeTable(readme, kernels), shipped);
  });
}

// ---- the numbers the README's prose quotes are the shipped tables' ---------------------------------------------
// "Reading the results" and the ModelNet40 paragraph quote ranges and values from the shipped tables; a new table
// (tools/check-quickstart-table.mjs) must come with prose that quotes it. Claims a table cannot show ("on every
// seed", the times) are not checked here.

type Row = { acc: number; heads: number[]; u: number[]; dUtil: number; dUtilStd: number; delta: number; t: number; p: number; n: number };

/** Rows of a shipped results table by label: means of `mean ± std` cells, Δ and p of the paired t column. */
function rows(file: string): Map<string, Row> {
  const out = new Map<string, Row>();
  const lines = (tableOf(readFileSync(file, 'utf8')) as string).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('|  |'));
  for (const line of lines) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const num = (c: string): number => Number(c.replace(/−/g, '-').split(' ± ')[0]);
    const [label, , acc, h0, h1, u0, u1, d, delta] = cells as [string, string, string, string, string, string, string, string, string];
    const t = /^([+−-][\d.]+) \(t=([−\d.-]+), p(?:=|<)([\d.]+), n=(\d+)\)/.exec(delta);
    out.set(label.replace(/ \(best: .*\)$/, ''), {
      acc: num(acc), heads: [num(h0), num(h1)], u: [num(u0), num(u1)], dUtil: num(d), dUtilStd: Number(d.split(' ± ')[1]),
      delta: t ? Number(t[1]!.replace('−', '-')) : NaN, t: t ? Number(t[2]!.replace('−', '-')) : NaN, p: t ? Number(t[3]) : NaN, n: t ? Number(t[4]) : NaN,
    });
  }
  return out;
}

/** `x` to `digits` decimals, halves up as a person rounds the printed value (92.05 → 92.1). */
const round = (x: number, digits: number): string => (Math.round(Math.abs(x) * 10 ** digits + 1e-6) / 10 ** digits * Math.sign(x)).toFixed(digits);
const range = (a: number, b: number, digits: number): string => `${round(Math.min(a, b), digits)}–${round(Math.max(a, b), digits)}`;
const prose = readme.replace(/\s+/g, ' ');

/**
 * "Better on every seed" from a table that shows only the paired t: the n differences have mean d̄ and standard
 * deviation s = d̄·√n / t, and none lies further than s·(n − 1)/√n from d̄, so all n have d̄'s sign when t > n − 1.
 */
const everySeed = (r: Row): boolean => Math.abs(r.t) > r.n - 1;

test('the README\'s "Reading the results" quotes the shipped native and pure-wasm tables', () => {
  const native = rows((SHIPPED as Record<string, string>)['native']!);
  const wasm = rows((SHIPPED as Record<string, string>)['wasm']!);
  const both = (label: string, f: (r: Row) => number, digits: number): string => range(f(native.get(label)!), f(wasm.get(label)!), digits);
  const quoted = [
    `its fused accuracy (${both('vanilla', (r) => r.acc, 1)} %) is far below the gray-only model's (${both('uni-modal', (r) => r.acc, 1)} %)`,
    `the gray branch itself (${both('vanilla', (r) => r.heads[0]!, 1)} % on test)`,
    `|d_util| = ${both('vanilla', (r) => Math.abs(r.dUtil), 2)},`,
    `the fused accuracy rises by ${round(native.get('guided')!.delta, 1)} points`,
    `|d_util| does not drop (${both('guided', (r) => Math.abs(r.dUtil), 2)})`,
    `+${round(native.get('random')!.delta, 1)} points with the native kernels (p = ${round(native.get('random')!.p, 2)}) and +${round(wasm.get('random')!.delta, 1)} with pure wasm (p = ${round(wasm.get('random')!.p, 2)})`,
    `(${round(native.get('rubi')!.delta, 1).replace('-', '−')} to ${round(wasm.get('rubi')!.delta, 1).replace('-', '−')} points, p ≥ ${(Math.floor(Math.min(native.get('rubi')!.p, wasm.get('rubi')!.p) * 100) / 100).toFixed(2)})`,
  ];
  for (const q of quoted) assert.ok(prose.includes(q), `README.md should say: ${q}`);
  // "rises by 6.5 points over vanilla on every seed", random "better than vanilla on every seed in both".
  assert.ok(prose.includes('points over vanilla on every seed') && prose.includes('Better than vanilla on every seed in both'));
  for (const t of [native, wasm]) for (const label of ['guided', 'random']) assert.ok(everySeed(t.get(label)!) && t.get(label)!.delta > 0, `${label}: t=${t.get(label)!.t}`);
  // One p-value for guided in both tables, as the README says.
  assert.equal(native.get('guided')!.p, wasm.get('guided')!.p);
  assert.ok(prose.includes(`(paired t-test p = ${native.get('guided')!.p} in both tables)`));
  // "about 40 % against 20 %": guided's and vanilla's gray heads, to the nearest ten, in both tables.
  for (const t of [native, wasm]) assert.deepEqual([t.get('guided')!.heads[0]!, t.get('vanilla')!.heads[0]!].map((x) => Math.round(x / 10) * 10), [40, 20]);
});

test('the README\'s ModelNet40 paragraph quotes recipes/results/quickstart-modelnet40-results.md', () => {
  const t = rows(join(import.meta.dirname, '..', 'recipes', 'results', 'quickstart-modelnet40-results.md'));
  const [vanilla, guided, random] = [t.get('vanilla')!, t.get('guided')!, t.get('random')!];
  const pm = (r: Row): string => `${round(r.dUtil, 2).replace('-', '−')} ± ${round(r.dUtilStd, 2)}`;
  const quoted = [
    `(u(view1|view7) = ${round(vanilla.u[1]!, 2)}, d_util = ${pm(vanilla)})`,
    `(d_util = ${pm(guided)})`,
    `(${round(guided.acc, 1)} ± `,
    `against ${round(vanilla.acc, 1)} ± `,
    `paired t-test p = ${round(guided.p, 2)})`,
    `lands in between (${round(random.acc, 1)} %)`,
  ];
  for (const q of quoted) assert.ok(prose.includes(q), `README.md should say: ${q}`);
  assert.ok(prose.includes('its test accuracy is higher on every seed') && everySeed(guided) && guided.delta > 0);
});

test('the tarball names in the README carry the packages\' versions (npm pack names them <scope>-<name>-<version>.tgz)', () => {
  const named = [...readme.matchAll(/ungreedy-([a-z0-9-]+?)-(\d+\.\d+\.\d+)\.tgz/g)];
  assert.ok(named.length > 0);
  for (const [file, pkg, version] of named) {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'packages', pkg!, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version, manifest.version, `${file}: packages/${pkg}/package.json is at ${manifest.version}`);
  }
});

test('the README\'s speed and memory ratios bracket tools/bench/results/latest.md (`npm run bench`)', () => {
  const bench = readFileSync(join(import.meta.dirname, 'bench', 'results', 'latest.md'), 'utf8').split('\n');
  const header = bench.findIndex((l) => l.startsWith('| workload | backend |'));
  const end = bench.findIndex((l, i) => i > header && !l.startsWith('|'));
  const rowsOf = (backend: string): string[][] => bench.slice(header + 2, end).map((l) => l.split('|').slice(1, -1).map((c) => c.trim())).filter((c) => c[1] === backend);
  const ratio = (c: string): number => Number(c.split('×')[0]);
  const ms = (c: string): number => Number(c.replace(/,/g, ''));
  const [native1, native2, wasm] = [rowsOf('wasm + native 1t'), rowsOf('wasm + native 2t'), rowsOf('wasm')];
  assert.ok(native1.length >= 4 && native2.length === native1.length && wasm.length === native1.length);
  // Columns: 2 ms/step, 8 ÷ torch 1t, 9 ÷ torch 2t, 10 RSS ÷ torch 1t.
  const claims: [RegExp, number[]][] = [
    [/native code on every core: ([\d.]+)–([\d.]+)× faster/, wasm.map((w, i) => ms(w[2]!) / ms(native2[i]![2]!))],
    [/takes ([\d.]+)–([\d.]+)× the time of PyTorch 1\.13 on 2 threads/, native2.map((r) => ratio(r[9]!))],
    [/\(([\d.]+)–([\d.]+)× on one thread each\)/, native1.map((r) => ratio(r[8]!))],
    [/with ([\d.]+)–([\d.]+)× its peak memory/, [...native1, ...native2].map((r) => ratio(r[10]!))],
    [/pure wasm takes ([\d.]+)–([\d.]+)× PyTorch's 1-thread time/, wasm.map((r) => ratio(r[8]!))],
  ];
  for (const [claim, measured] of claims) {
    const m = claim.exec(prose);
    assert.ok(m, `README.md should state ${claim}`);
    const [lo, hi] = [Number(m[1]), Number(m[2])];
    const [min, max] = [Math.min(...measured), Math.max(...measured)];
    // The stated range holds every measured ratio, and its ends are the measured ones, rounded (by less than 0.3).
    assert.ok(lo <= min + 0.05 && hi >= max - 0.05 && min - lo < 0.3 && hi - max < 0.3, `"${m[0]}" vs measured ${min.toFixed(2)}–${max.toFixed(2)}×`);
  }
});

test("the README's zoo table and method quantities are recipes/results/zoo-results.md's", () => {
  const shipped = zooBlockOf(readFileSync(ZOO_SHIPPED as string, 'utf8')) as string | undefined;
  // 12 rows (best uni-modal, vanilla, guided, random, RUBi and the six packages) plus header and rule.
  assert.ok(shipped !== undefined && shipped.split('\n').filter((l) => l.startsWith('| ')).length >= 12, `no zoo table in ${ZOO_SHIPPED as string}`);
  assert.match(shipped, /Strategy metrics \(last epoch/);
  assert.equal(readmeZooBlock(readme), shipped);
});
