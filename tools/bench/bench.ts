// `npm run bench`: training-step time and peak memory of the benchmark workloads on every TensorFlow.js backend
// that loads, side by side with the same models in PyTorch (when /usr/bin/python3 has torch), printing the
// ratios measured in this run. Not a test. Options:
//   --quick                 small shapes and few steps (a smoke run, ~1 min)
//   --workloads=a,b         cnn2, resnet18, video, mmtm, mmtm-core (default), mmtm224 (the paper's 224 px, on request)
//   --backends=a,b          wasm-native, wasm, webgpu, cpu (default: all; cpu runs only cnn2 unless --cpu-all).
//                           wasm-native is wasm with the native kernels (packages/backend/native), once per
//                           --native-threads count of oneDNN threads (default 1,2); wasm is the pure-wasm kernels.
//   --torch-threads=1,2     PyTorch thread counts to compare with (default 1,2); --no-torch to skip
//   --no-probe              skip the learning-speed probe overhead measurement
//   --out=DIR               where results go (default tools/bench/results)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// From the sources through tsx (npm run bench), or built (tools/dist/bench/bench.js, e.g. on a GPU machine, where
// the device bundle has no esbuild for tsx): each measurement runs the same way this script runs.
const compiled = import.meta.url.endsWith('.js');
const args = new Map<string, string>(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
// `npm run bench --quick` at the root reaches this script only as npm_config_<flag> variables (npm takes unknown
// flags as its own config), so honour those too.
for (const key of ['quick', 'workloads', 'backends', 'native-threads', 'torch-threads', 'no-torch', 'no-probe', 'cpu-all', 'out']) {
  const v = process.env[`npm_config_${key.replace(/-/g, '_')}`];
  if (v !== undefined && v !== '' && !args.has(key)) args.set(key, v);
}
const quick = args.has('quick');
const list = (key: string, def: string): string[] => (args.get(key) ?? def).split(',').filter(Boolean);
const workloads = list('workloads', 'cnn2,resnet18,video,mmtm,mmtm-core');
const backends = list('backends', 'wasm-native,wasm,webgpu,cpu');
const nativeThreads = list('native-threads', '1,2').map(Number);
const torchThreads = args.has('no-torch') ? [] : list('torch-threads', '1,2').map(Number);
const outDir = args.get('out') ?? join(here, 'results');

/** [warmup, timed] steps per workload: enough for a stable median, bounded for the slow ones. */
const STEPS: Record<string, [number, number]> = quick
  ? { cnn2: [1, 2], resnet18: [1, 2], video: [1, 2], mmtm: [1, 2], 'mmtm-core': [1, 2], mmtm224: [1, 2] }
  : { cnn2: [2, 5], resnet18: [1, 3], video: [2, 5], mmtm: [1, 3], 'mmtm-core': [1, 3], mmtm224: [1, 3] };
const CPU_STEPS: [number, number] = [1, 1];

type Row = Record<string, unknown> & { workload: string; msPerStep?: number; cpuMsPerStep?: number; peakRssMB?: number };

/** One bench process: `wasm` without the native kernels, `wasm-native` with them, oneDNN on `threads` threads. */
interface Variant {
  backend: string;
  label: string;
  env: Record<string, string>;
}

function variantsOf(backend: string): Variant[] {
  if (backend === 'wasm-native') {
    return nativeThreads.map((t) => ({ backend: 'wasm', label: `wasm + native ${t}t`, env: { UNGREEDY_NATIVE: 'required', OMP_NUM_THREADS: String(t) } }));
  }
  return [{ backend, label: backend, env: backend === 'wasm' ? { UNGREEDY_NATIVE: 'off' } : {} }];
}

const workloadCommand = compiled ? [join(here, 'run-workload.js')] : ['--conditions=ungreedy-development', '--import', 'tsx', join(here, 'run-workload.ts')];

function runNode(workload: string, v: Variant, steps: [number, number], probe: boolean): Row {
  const flags = [quick ? 'quick' : '', probe ? 'probe' : ''].filter(Boolean);
  const r = spawnSync(
    process.execPath,
    [...workloadCommand, workload, v.backend, String(steps[0]), String(steps[1]), ...flags],
    { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent', ...v.env } },
  );
  const row = parseLast(r.stdout, { workload, error: r.stderr.split('\n').filter(Boolean).slice(-3).join(' | ') });
  return { ...row, backend: v.label };
}

function runTorch(workload: string, threads: number, steps: [number, number]): Row {
  const r = spawnSync('/usr/bin/python3', [join(here, compiled ? '../../bench' : '.', 'torch_bench.py'), workload, String(threads), String(steps[0]), String(steps[1]), quick ? 'quick' : ''], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  return parseLast(r.stdout, { workload, framework: 'torch', threads, error: r.stderr.split('\n').filter(Boolean).slice(-2).join(' | ') });
}

function parseLast(stdout: string, fallback: Row): Row {
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line === undefined ? fallback : (JSON.parse(line) as Row);
}

/** The PyTorch row measured for workload `w` on `t` threads, if it ran. */
function torchOf(w: string, t: number): Row | undefined {
  return torchRows.find((r) => r.workload === w && r.threads === t && r.msPerStep !== undefined);
}

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

const fmt = (x: unknown, digits = 0): string => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined && b > 0 ? `${fmt(a / b, 1)}×` : '–');

const started = new Date();
const load0 = loadavg();
const haveTorch = torchThreads.length > 0 && torchAvailable();
const tfRows: Row[] = [];
const torchRows: Row[] = [];
const probeRows: Row[] = [];
for (const w of workloads) {
  const steps = STEPS[w] ?? [1, 3];
  for (const v of backends.flatMap(variantsOf)) {
    if (v.backend === 'cpu' && w !== 'cnn2' && !args.has('cpu-all')) continue;
    const row = runNode(w, v, v.backend === 'cpu' ? CPU_STEPS : steps, false);
    if (row.skipped !== undefined) {
      console.log(`${w} on ${v.label}: skipped (${String(row.skipped)})`);
      continue;
    }
    tfRows.push(row);
    console.log(`${w} on ${v.label}: ${fmt(row.msPerStep)} ms/step (cpu ${fmt(row.cpuMsPerStep)} ms), peak RSS ${fmt(row.peakRssMB)} MB${row.error ? `, error: ${String(row.error)}` : ''}`);
    // The probe's overhead on every wasm variant: the faster the step, the larger its share.
    if (v.backend === 'wasm' && row.error === undefined && !args.has('no-probe') && (w === 'cnn2' || w === 'mmtm')) {
      const p = runNode(w, v, steps, true);
      probeRows.push({ ...p, plainMs: row.msPerStep, plainCpuMs: row.cpuMsPerStep });
      console.log(`${w} on ${v.label}: learning-speed probe ${fmt(p.probeMs, 1)} ms (cpu ${fmt(p.probeCpuMs, 1)} ms) per step`);
    }
  }
  if (haveTorch) {
    for (const t of torchThreads) {
      const row = w === 'mmtm-core' ? { ...(torchOf('mmtm', t) ?? runTorch('mmtm', t, steps)), workload: w } : runTorch(w, t, steps);
      torchRows.push(row);
      console.log(`${w} in PyTorch, ${t} thread(s): ${fmt(row.msPerStep)} ms/step (cpu ${fmt(row.cpuMsPerStep)} ms), peak RSS ${fmt(row.peakRssMB)} MB`);
    }
  }
}
const load1 = loadavg();

const lines: string[] = [];
lines.push(`# ungreedy benchmark: training step, tfjs vs PyTorch`);
lines.push('');
lines.push(
  `${started.toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · tfjs 4.22.0 · ` +
    `${haveTorch ? `PyTorch ${String(torchRows[0]?.torch ?? '?')}` : 'no PyTorch'} · load average ${fmt(load0[0], 1)} → ${fmt(load1[0], 1)}${quick ? ' · --quick' : ''}`,
);
lines.push('');
lines.push('Median of the timed steps after warm-up; wall-clock ms per step, and process CPU ms per step (robust when other');
lines.push('processes share the cores). Ratios are tfjs ÷ PyTorch from this run (wall, and CPU time in brackets for 1 thread).');
lines.push('');
lines.push('| workload | backend | ms/step | CPU ms/step | steps/s | peak RSS MB | torch 1t ms (CPU) | torch 2t ms | ÷ torch 1t | ÷ torch 2t | RSS ÷ torch 1t |');
lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of tfRows) {
  const t1 = torchOf(r.workload, 1);
  const t2 = torchOf(r.workload, 2);
  lines.push(
    `| ${String(r.description ?? r.workload)} | ${String(r.backend)} | ${r.error ? `error: ${String(r.error)}` : fmt(r.msPerStep)} | ${fmt(r.cpuMsPerStep)} | ${fmt(r.stepsPerSec, 2)} | ${fmt(r.peakRssMB)} | ` +
      `${t1 ? `${fmt(t1.msPerStep)} (${fmt(t1.cpuMsPerStep)})` : '–'} | ${fmt(t2?.msPerStep)} | ` +
      `${ratio(r.msPerStep, t1?.msPerStep)} (${ratio(r.cpuMsPerStep, t1?.cpuMsPerStep)}) | ${ratio(r.msPerStep, t2?.msPerStep)} | ${ratio(r.peakRssMB, t1?.peakRssMB)} |`,
  );
}
if (probeRows.length > 0) {
  lines.push('');
  lines.push('Learning-speed probe (Σg² and Σθ² per parameter group, stacked, one sync per step), timed on its own');
  lines.push('inside the step; overhead = probe time ÷ the step time without the probe:');
  lines.push('');
  lines.push('| workload | backend | step without probe ms (CPU) | probe ms (CPU) | overhead, wall (CPU) |');
  lines.push('|---|---|---:|---:|---:|');
  for (const p of probeRows) {
    const pct = (a: unknown, b: unknown): string => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${fmt((100 * a) / b, 1)}%` : '–');
    lines.push(
      `| ${String(p.description ?? p.workload)} | ${String(p.backend)} | ${fmt(p.plainMs)} (${fmt(p.plainCpuMs)}) | ${fmt(p.probeMs, 1)} (${fmt(p.probeCpuMs, 1)}) | ` +
        `${pct(p.probeMs, p.plainMs)} (${pct(p.probeCpuMs, p.plainCpuMs)}) |`,
    );
  }
}
const markdown = `${lines.join('\n')}\n`;
console.log(`\n${markdown}`);
mkdirSync(outDir, { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
writeFileSync(join(outDir, `bench-${stamp}.json`), `${JSON.stringify({ started, load: [load0, load1], quick, tfjs: tfRows, torch: torchRows, probe: probeRows }, null, 2)}\n`);
writeFileSync(join(outDir, `bench-${stamp}.md`), markdown);
console.log(`results: ${join(outDir, `bench-${stamp}.{json,md}`)}`);
