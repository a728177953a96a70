// Kernel-level profile of one training step (not part of `npm run bench`):
// node --conditions=ungreedy-development --import tsx bench/profile.ts <workload> <backend> [quick]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createOptimizer, ensureGradients, registerFastCpuKernels, registerProjectKernels } from '@ungreedy/core/engine';
import { WORKLOADS } from './models.js';

const [name = 'cnn2', backend = 'wasm', ...flags] = process.argv.slice(2);
await ensureGradients();
await tf.setBackend(backend);
registerProjectKernels(backend);
if (backend === 'cpu') registerFastCpuKernels();
const w = await WORKLOADS[name]!({ quick: flags.includes('quick') });
const vars = Object.values(w.groups).flat();
// The project's Adam (PyTorch semantics, one tidy per parameter): tf.train.adam updates every parameter inside
// one tidy and holds ~10 temporaries of the whole model at once (1.6 GB peak for two ResNet-18s).
const opt = createOptimizer(
  { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
  vars.map((v) => ({ name: v.name, variable: v })),
);
const step = () => {
  const { value, grads } = tf.variableGrads(() => w.loss(), vars);
  opt.step(new Map(Object.entries(grads)));
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
step();
const c0 = process.cpuUsage();
const info = await tf.profile(() => {
  step();
  return [];
});
const cpu = process.cpuUsage(c0);
const byKernel = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs);
  e.n += 1;
  byKernel.set(k.name, e);
}
const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
console.log(`cpu time ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, kernel time ${total.toFixed(0)} ms, peak tensor bytes ${(info.peakBytes / 2 ** 20).toFixed(0)} MB`);
for (const [k, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(`${k.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms  ${String(e.n).padStart(5)} calls  ${((100 * e.ms) / total).toFixed(1)}%`);
}
const { PROFILE } = await import('../../packages/backend/src/kernels/kernel-ops.js');
if (PROFILE !== undefined) {
  console.log('inside project kernels (both steps):');
  for (const [k, e] of [...PROFILE.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`  ${k.padEnd(26)} ${e.ms.toFixed(1).padStart(9)} ms  ${String(e.calls).padStart(5)} calls`);
  }
}
