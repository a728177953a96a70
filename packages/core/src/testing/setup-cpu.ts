import { selectTestBackend } from './test-backend.js';

/**
 * Selects the `cpu` backend, the numerically trusted oracle (packages/core/docs/backends.md), with every gradient
 * registered, whatever `UNGREEDY_TEST_BACKEND` says. Only for tests that need the oracle itself; tests that train
 * or differentiate use `setupTestBackend`, which runs them on the fast backend the trainer uses.
 */
export async function setupCpu(): Promise<void> {
  await selectTestBackend('cpu');
}
