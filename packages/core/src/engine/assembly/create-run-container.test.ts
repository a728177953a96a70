import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOCK, CONFIG, LOGGER, PLUGIN_REGISTRY, RNG, RUN_STORE } from './tokens.js';
import { createLogger } from '../log/create-logger.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import { createRootContainer } from './create-root-container.js';
import { createRunContainer } from './create-run-container.js';

const config = (seed: number): ExperimentConfig => ({ name: `run${seed}`, seed }) as ExperimentConfig;

test('each run gets its own config, RNG, store and logger over the shared root services', async () => {
  const root = createRootContainer({ log: createLogger({ console: 'none' }).log });
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-container-'));
  const a = createRunContainer(root, { config: config(1), runDir: join(dir, 'a'), runId: 'a', console: 'none', level: 'info' });
  const b = createRunContainer(root, { config: config(1), runDir: join(dir, 'b'), runId: 'b', console: 'none', level: 'info' });
  assert.equal(a.container.resolve(PLUGIN_REGISTRY), b.container.resolve(PLUGIN_REGISTRY));
  assert.equal(a.container.resolve(CLOCK), root.resolve(CLOCK));
  assert.notEqual(a.container.resolve(RNG), b.container.resolve(RNG));
  assert.notEqual(a.container.resolve(RUN_STORE), b.container.resolve(RUN_STORE));
  assert.notEqual(a.container.resolve(LOGGER), root.resolve(LOGGER));
  assert.equal(a.container.resolve(CONFIG).name, 'run1');
  assert.equal(root.isRegistered(CONFIG), false);
  assert.equal(root.isRegistered(RNG), false);

  // Same seed: the same numbers, but drawing in one run does not move the other's stream.
  const x = a.rng.get('init').nextUint32();
  a.rng.get('init').nextUint32();
  assert.equal(b.rng.get('init').nextUint32(), x);

  a.log.info({ step: 1 }, 'step end');
  b.log.info({ step: 2 }, 'step end');
  await a.dispose();
  await b.dispose();
  const lines = (p: string) => readFileSync(join(p, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines(join(dir, 'a')).map((l) => [l['run'], l['step'], l['msg']]), [['a', 1, 'step end']]);
  assert.deepEqual(lines(join(dir, 'b')).map((l) => [l['run'], l['step']]), [['b', 2]]);
});
