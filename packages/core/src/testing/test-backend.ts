import type { BackendInfo } from '../engine/backend/backend-info.js';
import { ensureGradients, WASM_TRAINING_READY } from '@ungreedy/backend';
import { selectBackend } from '../engine/backend/select-backend.js';
import { UngreedyError } from '../contract/errors/errors.js';

/** The backends a test suite can run on: the fast CPU backend the trainer uses (`wasm`) or the oracle (`cpu`). */
export type TestBackendName = 'cpu' | 'wasm';

/** The environment variable that overrides the test backend: `UNGREEDY_TEST_BACKEND=cpu npm test` runs on the oracle. */
export const TEST_BACKEND_VARIABLE = 'UNGREEDY_TEST_BACKEND';

const NAMES: readonly TestBackendName[] = ['cpu', 'wasm'];

/**
 * The backend the tests run on: `UNGREEDY_TEST_BACKEND` if set, otherwise the fastest CPU backend, `wasm` (the one
 * `auto` picks on a machine without tfjs-node or a GPU), or `cpu` while the project's wasm training kernels are not
 * verified (`WASM_TRAINING_READY`). A value other than `cpu` or `wasm` is UNG_ERR_BACKEND_UNAVAILABLE.
 *
 * @example
 * const config = { ...experiment, backend: testBackendName() }; // what `ungreedy run` selects in a CLI test
 */
export function testBackendName(env: Readonly<Record<string, string | undefined>> = process.env): TestBackendName {
  const value = env[TEST_BACKEND_VARIABLE];
  if (value === undefined || value === '') return WASM_TRAINING_READY ? 'wasm' : 'cpu';
  const name = NAMES.find((n) => n === value);
  if (name !== undefined) return name;
  throw new UngreedyError(
    'UNG_ERR_BACKEND_UNAVAILABLE',
    `The environment variable ${TEST_BACKEND_VARIABLE} should be one of ${NAMES.join(', ')}, but got "${value}". ` +
      `Unset it to test on the default backend, or set it to cpu to test on the oracle.`,
    { backend: value, variable: TEST_BACKEND_VARIABLE, allowed: [...NAMES] },
  );
}

/**
 * Selects the test backend ({@link testBackendName}) with every gradient registered, through the same
 * `selectBackend` the trainer's runs use: on wasm that registers the project's kernels exactly as a run does.
 * Idempotent; use it as the `before` hook of any test that trains or differentiates (it takes no parameters,
 * since node:test passes its hooks the test context). Tests that need the oracle itself use `setupCpu`.
 *
 * @example
 * before(setupTestBackend); // wasm by default, cpu with UNGREEDY_TEST_BACKEND=cpu
 */
export function setupTestBackend(): Promise<BackendInfo> {
  return selectTestBackend(testBackendName());
}

/** Selects `name` with every gradient registered (selectBackend runs overlapping calls one after another). */
export async function selectTestBackend(name: TestBackendName): Promise<BackendInfo> {
  await ensureGradients();
  return selectBackend(name);
}
