// One benchmark measurement in its own process (so that peak RSS belongs to one backend and one model):
// node --conditions=ungreedy-development --import tsx bench/run-workload.ts <workload> <backend> <warmup> <steps> [quick] [probe]
// Prints one JSON line on stdout.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  createOptimizer,
  ensureGradients,
  installLeanBackprop,
  nativeKernelStatus,
  registerFastCpuKernels,
  registerProjectKernels,
  setupWebGpu,
  sumOfSquares,
  webGpuStatus,
} from '@ungreedy/core/engine';
import { WORKLOADS } from './models.js';

const [workloadName = 'cnn2', backend = 'wasm', warmupArg = '2', stepsArg = '5', ...flags] = process.argv.slice(2);
const quick = flags.includes('quick');
const probe = flags.includes('probe');
// The backward pass that frees gradients and saved tensors as it goes (installLeanBackprop); `stock-backprop` turns it off.
const lean = !flags.includes('stock-backprop');

async function main(): Promise<Record<string, unknown>> {
  await ensureGradients();
  if (backend === 'webgpu' && !(await setupWebGpu())) {
    return { skipped: (await webGpuStatus()).reason ?? 'no WebGPU adapter' };
  }
  if (!(await tf.setBackend(backend))) return { skipped: `backend ${backend} did not initialise` };
  registerProjectKernels(backend);
  if (backend === 'cpu') registerFastCpuKernels();
  const native = nativeKernelStatus();
  if (process.env.UNGREEDY_NATIVE === 'required' && !native.active) return { skipped: `no native kernels: ${native.detail}` };
  if (lean) installLeanBackprop();
  const make = WORKLOADS[workloadName];
  if (make === undefined) throw new Error(`unknown workload ${workloadName}`);
  const w = await make({ quick });
  const vars = Object.values(w.groups).flat();
  const params = vars.reduce((n, v) => n + v.size, 0);
  // The project's Adam (PyTorch semantics, one tidy per parameter): tf.train.adam updates every parameter inside
  // one tidy and holds ~10 temporaries of the whole model at once (1.6 GB peak for two ResNet-18s).
  const opt = createOptimizer(
    { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    vars.map((v) => ({ name: v.name, variable: v })),
  );

  // Variant "probe": gradients by parameter group, then the conditional-learning-speed probe the trainer runs:
  // one reduction per group (Σg² and Σθ²) stacked, and one sync for all groups; then the optimizer step.
  // Variant "plain": the same step without the probe, so the two differ by exactly the probe's cost.
  let probeMs = 0;
  let probeCpuMs = 0;
  const step = (): number => {
    const { value, grads } = tf.variableGrads(() => w.loss(), vars);
    if (probe) {
      // Sync first so that the probe's own time is measured apart from the backward pass still in flight.
      value.dataSync();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const stats = tf.tidy(() =>
        tf.stack(
          Object.values(w.groups).flatMap((g) => [
            tf.addN(g.map((v) => sumOfSquares(grads[v.name]!))),
            tf.addN(g.map((v) => sumOfSquares(v))),
          ]),
        ),
      );
      stats.dataSync();
      stats.dispose();
      const c = process.cpuUsage(c0);
      probeMs = performance.now() - t0;
      probeCpuMs = (c.user + c.system) / 1000;
    }
    opt.step(new Map(Object.entries(grads)));
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };

  const times: number[] = [];
  const cpuTimes: number[] = [];
  const probeTimes: number[] = [];
  const probeCpuTimes: number[] = [];
  let peakBytes = 0;
  let firstLoss = Number.NaN;
  let lastLoss = Number.NaN;
  for (let i = 0; i < Number(warmupArg) + Number(stepsArg); i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const loss = step();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i === 0) firstLoss = loss;
    lastLoss = loss;
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${i}`);
    if (i >= Number(warmupArg)) {
      times.push(ms);
      cpuTimes.push((c.user + c.system) / 1000);
      probeTimes.push(probeMs);
      probeCpuTimes.push(probeCpuMs);
    }
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
    if (process.env.UNGREEDY_BENCH_VERBOSE === '1') console.error(`${workloadName}/${backend} step ${i}: ${ms.toFixed(0)} ms, loss ${loss}`);
  }
  const numTensors = tf.memory().numTensors;
  opt.dispose();
  w.dispose();
  const sorted = [...times].sort((a, b) => a - b);
  const median = medianOf(times);
  return {
    workload: workloadName,
    description: w.description,
    backend,
    probe,
    leanBackprop: lean,
    params,
    steps: times.length,
    msPerStep: median,
    msMin: sorted[0],
    cpuMsPerStep: medianOf(cpuTimes),
    probeMs: probe ? medianOf(probeTimes) : undefined,
    probeCpuMs: probe ? medianOf(probeCpuTimes) : undefined,
    stepsPerSec: 1000 / median,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    peakTensorMB: peakBytes / 2 ** 20,
    wasmHeapMB: backend === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20 : undefined,
    numTensorsAfter: numTensors,
    firstLoss,
    lastLoss,
    // wasm runs one thread; the oneDNN convolutions, when on, run OMP_NUM_THREADS (default: every core).
    native: backend === 'wasm' ? native : undefined,
  };
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

main()
  .then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  })
  .catch((err: unknown) => {
    process.stdout.write(`${JSON.stringify({ workload: workloadName, backend, error: err instanceof Error ? err.message : String(err) })}\n`);
    process.exit(1);
  });
