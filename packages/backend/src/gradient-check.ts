// @ungreedy/backend/gradient-check: the gradient-check suite's helpers and op cases (kernels/gradient-check.ts),
// for the kernels' own tests and core's conformance kit. A separate entry: it loads the cpu and wasm backends.
export { availableBackends, compareWithCpu, evaluate, finiteDiff, makeInputs, relError, size, upstream, useBackend } from './kernels/gradient-check.js';
export type { Arrays, Evaluation, Fill, FiniteDiffResult, InputSpec, OpCase } from './kernels/gradient-check.js';
export { OP_CASES, tinyConvNet } from './kernels/op-cases.js';
export { SeededRandom } from './kernels/seeded-random.js';
