import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { join, relative } from 'node:path';
import type { Executor } from '../../contract/executor/executor.js';
import { createPluginRegistry } from '../../engine/plugin/plugin-registry.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { tempDir } from '../../testing/temp-dir.js';
import { TINY_EXPERIMENT } from '../../testing/train-tiny.js';
import { createExecutor, resolveExecutorChoice, withExecutors } from '../cli/execute-compare.js';
import { loadComparePlan } from '../compare/compare-config.js';
import { cellState } from '../compare/run-matrix.js';
import { writeCellFiles } from './compare-folder.js';

const fixturePlugin = join(import.meta.dirname, '..', 'compare', 'test-fixtures', 'compare-plugin.mjs');

/** The `local` executor through the Executor interface: cells by index from the compare folder, states by poll. */
async function localExecutor(epochs: number): Promise<{ executor: Executor; dirs: string[]; wait: () => Promise<void> }> {
  const dir = tempDir('local-executor');
  const plugin = relative(dir, fixturePlugin);
  const base = { ...TINY_EXPERIMENT, plugins: [plugin.startsWith('.') ? plugin : `./${plugin}`], train: { ...(TINY_EXPERIMENT['train'] as object), epochs } };
  writeFileSync(join(dir, 'compare.json'), JSON.stringify({ name: 'local', base, unimodal: false, seeds: [1, 2], strategies: [{ label: 'vanilla', use: 'vanilla' }], output: { dir: 'out' } }));
  const plan = await loadComparePlan(join(dir, 'compare.json'), { log: silentLogger() });
  writeCellFiles(plan);
  const registry = withExecutors(createPluginRegistry());
  const choice = resolveExecutorChoice(registry, { use: 'local', options: { jobs: 2 } }, plan.file);
  assert.deepEqual(choice.options, { jobs: 2 });
  let wake: () => void = () => undefined;
  const executor = await createExecutor(registry, choice, plan.outDir, plan.cells.map((c) => c.id), { env: process.env, log: silentLogger(), notify: () => wake() });
  // Woken by the executor's notify, or after 200 ms (a change between a poll and this wait is not missed).
  const wait = (): Promise<void> => new Promise((r) => {
    wake = r;
    setTimeout(r, 200);
  });
  return { executor, dirs: plan.cells.map((c) => c.dir), wait };
}

test('local executor: submit by index runs the cells as local compare does; poll reports running, then done', async () => {
  const { executor, dirs, wait } = await localExecutor(2);
  assert.equal(executor.detachable, false);
  const job = await executor.submit([0, 1]);
  assert.deepEqual(job.indices, [0, 1]);
  const seen = new Set<string>();
  for (;;) {
    const states = await executor.poll(job.id, job.indices);
    for (const s of states) seen.add(s.state);
    if (states.every((s) => s.state === 'done' || s.state === 'failed')) {
      assert.deepEqual(states.map((s) => [s.index, s.state, s.exitCode]), [[0, 'done', 0], [1, 'done', 0]]);
      break;
    }
    await wait();
  }
  assert.ok(seen.has('running'));
  for (const d of dirs) assert.equal(cellState(d), 'completed', d);
  assert.deepEqual((await executor.poll('local-unknown', [0])).map((s) => s.state), ['unknown']);
});

test('local executor: cancel stops the running cells (they checkpoint or never start) and every task ends as failed', async () => {
  const { executor, dirs, wait } = await localExecutor(200);
  const job = await executor.submit([0, 1]);
  while (!(await executor.poll(job.id, job.indices)).some((s) => s.state === 'running')) await wait();
  await executor.cancel(job.id);
  for (;;) {
    const states = await executor.poll(job.id, job.indices);
    if (states.every((s) => s.state === 'failed')) {
      for (const s of states) assert.ok(s.reason === 'interrupted' || s.reason === 'cancelled', JSON.stringify(s));
      break;
    }
    await wait();
  }
  for (const d of dirs) assert.notEqual(cellState(d), 'completed');
});

test('a plugin adds an executor through its manifest, checked like every contribution; a malformed one is refused naming the field', () => {
  const registry = withExecutors(createPluginRegistry());
  const k8s = { meta: { docs: { description: 'Kubernetes Indexed Job' }, defaultOptions: { namespace: 'default' }, schema: { type: 'object', additionalProperties: false, properties: { namespace: { type: 'string' } } } }, create: () => { throw new Error('not in this test'); } };
  registry.add({ manifest: { meta: { name: 'ungreedy-executor-k8s', version: '1.0.0', coreApi: '^2.0.0' }, executors: { k8s } }, specifier: 'k8s', resolvedFrom: 'test' });
  assert.deepEqual(registry.ids('executors'), ['k8s', 'local', 'slurm']);
  assert.deepEqual(resolveExecutorChoice(registry, { use: 'k8s', options: {} }, 'compare.json').options, { namespace: 'default' });
  assert.throws(
    () => registry.add({ manifest: { meta: { name: 'bad-executor', version: '1.0.0', coreApi: '^2.0.0' }, executors: { bad: { meta: { docs: { description: 'x' }, defaultOptions: {} }, create: () => null } } } as never, specifier: 'bad', resolvedFrom: 'test' }),
    (err: unknown) => isUngreedyError(err, 'UNG_ERR_PLUGIN_INVALID') && (err.data as { field: string }).field === 'executors.bad.meta.schema',
  );
});
