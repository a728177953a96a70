// The gradient-check suite's comparison with the cpu oracle, forward and backward, on every backend that loads here
// (webgpu where a GPU adapter is found), as a script: for machines where the test runner cannot run (the GPU
// machine's device bundle has no esbuild for tsx). Built to tools/dist/bench/backend-check.js by `npm run build`.
//   node tools/dist/bench/backend-check.js [--backends=webgpu,wasm]
// Prints one line per case and backend; exits 1 if any relative error reaches 1e-4 (the suite's tolerance).
import { availableBackends, compareWithCpu, OP_CASES, relError } from '@ungreedy/core/testing';

const TOL = 1e-4;
const only = process.argv.find((a) => a.startsWith('--backends='))?.slice('--backends='.length).split(',');
const backends = (await availableBackends()).filter((b) => b !== 'cpu' && (only === undefined || only.includes(b)));
if (only !== undefined) for (const b of only.filter((b) => !backends.includes(b))) console.log(`${b}: did not load here`);
let failed = 0;
for (const backend of backends) {
  for (const c of OP_CASES) {
    let line: string;
    try {
      const { ref, got } = await compareWithCpu(c, backend);
      const errors = [['forward', relError(got.out, ref.out)] as const, ...Object.entries(ref.grads).map(([k, g]) => [`d/d${k}`, relError(got.grads[k]!, g)] as const)];
      const worst = Math.max(...errors.map(([, e]) => e));
      if (!(worst < TOL)) failed++;
      line = `${worst < TOL ? 'ok  ' : 'FAIL'} ${errors.map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`;
    } catch (err) {
      failed++;
      line = `FAIL ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
    console.log(`${backend.padEnd(7)} ${c.name.padEnd(64)} ${line}`);
  }
}
console.log(`${backends.length === 0 ? 'no backend besides cpu loaded' : `${failed} failing case(s) on ${backends.join(', ')}`}`);
process.exit(failed > 0 || backends.length === 0 ? 1 : 0);
