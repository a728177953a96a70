import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { FileRunStore, RUN_FILES } from './file-run-store.js';
import { createRunFolder } from './create-run-folder.js';
import { createRunManifest, gitCommit } from './run-manifest.js';
import type { EpochRecord } from './metric-records.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';
import type { ExperimentConfig } from '../config/experiment-config.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'ungreedy-run-'));
const split = { loss: 1, acc: 50, accHeads: [40, 45], samples: 10 };
const epoch = (n: number): EpochRecord => ({
  type: 'epoch', epoch: n, lr: 0.1, train: split, val: null, test: null, evalMode: { kind: 'regular' }, stepsByMode: { regular: 3 }, seconds: 1,
});

test('run folders are created fresh; a rerun gets a suffixed folder, never the old one', () => {
  const parent = join(fresh(), 'runs');
  const a = createRunFolder(parent, 'cmnist-seed1');
  const b = createRunFolder(parent, 'cmnist-seed1');
  const c = createRunFolder(parent, 'cmnist-seed1');
  assert.deepEqual([a, b, c].map((d) => d.slice(parent.length + 1)), ['cmnist-seed1', 'cmnist-seed1-2', 'cmnist-seed1-3']);
});

test('metrics append and read back; a torn last line (a crash mid-append) is skipped', () => {
  const store = new FileRunStore(fresh());
  store.appendMetric(epoch(1));
  store.appendMetric(epoch(2));
  appendFileSync(join(store.dir, RUN_FILES.metrics), '{"type":"epo');
  assert.deepEqual(store.readMetrics().map((r) => (r as EpochRecord).epoch), [1, 2]);
});

test('manifest, summary and JSON files are written atomically and stay inside the run folder', () => {
  const store = new FileRunStore(fresh());
  const config = { seed: 7 } as ExperimentConfig;
  const manifest = createRunManifest({
    runId: 'r', config, registry: createPluginRegistry(), backend: { name: 'cpu', reason: 'test' },
    clock: { now: () => 0, isoNow: () => '2026-01-01T00:00:00.000Z' }, configFile: '/x/c.json', configDir: store.dir,
  });
  store.writeManifest(manifest);
  assert.equal(store.readManifest().seed, 7);
  assert.equal(store.readManifest().node, process.version);
  const updated = store.updateManifest({ status: 'completed', endedAt: 'later' });
  assert.equal(updated.status, 'completed');
  assert.equal(store.readManifest().startedAt, '2026-01-01T00:00:00.000Z');
  store.writeJson('checkpoints/last/state.json', { step: 3 });
  assert.deepEqual(store.readJson('checkpoints/last/state.json'), { step: 3 });
  assert.ok(existsSync(store.checkpointDir('best')));
  assert.throws(() => store.writeJson('../escape.json', {}), RangeError);
  assert.deepEqual(readdirSync(store.dir).sort(), ['checkpoints', 'manifest.json']);
  assert.equal(store.readSummary(), undefined);
});

test('opening a folder that is not a run folder is UNG_ERR_RUN_NOT_FOUND', () => {
  const dir = fresh();
  assert.throws(() => FileRunStore.open(dir), (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_RUN_NOT_FOUND'));
    assert.deepEqual(err.data['missing'], ['manifest.json', 'config.resolved.json']);
    return true;
  });
});

test('gitCommit is the checked-out commit inside a work tree and null outside one', () => {
  assert.match(gitCommit(import.meta.dirname) ?? '', /^[0-9a-f]{40}(-dirty)?$/);
  assert.equal(gitCommit(tmpdir()), null);
});
