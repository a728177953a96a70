import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { ExperimentConfig } from './experiment-config.js';
import type { ConfigIssue } from './format-issues.js';
import { checkCoreConfig, getCoreSchema, validateConfig } from './validate-config.js';
import { defineConfig } from './define-config.js';
import { fixtureConfig, fixtureRegistry } from './test-fixtures/fixture-plugin.js';

function issuesOf(raw: unknown): ConfigIssue[] {
  try {
    validateConfig(raw, { registry: fixtureRegistry(), file: 'experiments/x.json' });
  } catch (err) {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID'), String(err));
    assert.equal(err.data['file'], 'experiments/x.json');
    return err.data['issues'] as ConfigIssue[];
  }
  return [];
}

const pointers = (issues: readonly ConfigIssue[]): string[] => issues.map((i) => i.pointer);

test('a valid config resolves with core and component defaults applied', () => {
  const config = validateConfig(fixtureConfig(), { registry: fixtureRegistry(), file: 'x.json' });
  // A literal of the full type: the compiler makes sure this lists every field of ExperimentConfig.
  const expected: ExperimentConfig = {
    name: 'cmnist',
    seed: 0,
    backend: 'auto',
    plugins: [],
    dataset: { use: 'colored-mnist', options: { root: 'data', samples: 1000, colors: { train: 0.99 } } },
    model: {
      modalities: null,
      encoders: [{ use: 'cnn', options: { channels: [8, 16] }, init: null }],
      fusion: { use: 'mmtm', options: { ratio: 4 }, after: [0, 1] },
      heads: 'separate',
      fused: 'mean',
    },
    strategy: { use: 'guided', options: { alpha: 0.25, threshold: 0.01 } },
    train: {
      epochs: 299,
      batchSize: 8,
      evalBatchSize: 8,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false },
      scheduler: {
        type: 'plateau', monitor: 'train/loss', mode: 'min', factor: 0.3, patience: 10, threshold: 0.001,
        thresholdMode: 'rel', cooldown: 0, minLr: 1e-6, eps: 1e-8,
      },
      loss: 'heads',
      completedStopping: 5,
      checkpointEverySteps: 0,
      keepBest: true,
      legacyLength2AccuracyQuirk: false,
      divergence: { enabled: true, factor: 1000, patience: 20 },
    },
    metrics: { speedLogBase: 10, utilizationDenominator: 'branch', utilization: true, evaluateCheckpoint: 'best', recordWithAugmentation: true },
    output: { dir: 'runs', runName: null },
  };
  assert.deepEqual(config, expected);
});

test('component defaults deep-merge under the user options; arrays replace', () => {
  const raw = fixtureConfig();
  const config = validateConfig(
    { ...raw, dataset: { use: 'colored-mnist', options: { colors: { test: 0.5 } } }, model: { encoders: [{ use: 'cnn', options: { channels: [4] } }] } },
    { registry: fixtureRegistry(), file: 'x.json' },
  );
  assert.deepEqual(config.dataset.options, { root: 'data', samples: 1000, colors: { train: 0.99, test: 0.5 } });
  assert.deepEqual(config.model.encoders[0]!.options, { channels: [4] });
  assert.deepEqual(config.model.fusion, { use: 'late', options: {}, after: [] });
});

test('a discriminated optimizer gets the chosen branch\'s defaults', () => {
  const config = validateConfig({ ...fixtureConfig(), train: { optimizer: { type: 'adam' }, scheduler: { type: 'none' } } }, { registry: fixtureRegistry(), file: 'x' });
  assert.deepEqual(config.train.optimizer, { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  assert.deepEqual(config.train.scheduler, { type: 'none' });
  const sgd = validateConfig({ ...fixtureConfig(), train: { optimizer: { lr: 0.01 } } }, { registry: fixtureRegistry(), file: 'x' });
  assert.deepEqual(sgd.train.optimizer, { type: 'sgd', lr: 0.01, momentum: 0, weightDecay: 0, nesterov: false });
});

test('issues from several components and the core schema are reported together, with JSON pointers', () => {
  const issues = issuesOf({
    ...fixtureConfig(),
    backend: 'gpu',
    dataset: { use: 'colored-mnist', options: { samples: 'many' } },
    model: { encoders: [{ use: 'cnn', options: { channels: [0] } }], fusion: { use: 'mmtm', options: { ratio: -1, extra: 1 } } },
    strategy: { use: 'guidd', options: { alpha: 2 } },
    train: { epochs: 0, optimizer: { type: 'adamw' } },
  });
  assert.deepEqual(pointers(issues).sort(), [
    '/backend',
    '/dataset/options/samples',
    '/model/encoders/0/options/channels/0',
    '/model/fusion/options/extra',
    '/model/fusion/options/ratio',
    '/strategy/use',
    '/train/epochs',
    '/train/optimizer/type',
  ]);
  const byPointer = new Map(issues.map((i) => [i.pointer, i]));
  assert.equal(byPointer.get('/strategy/use')?.suggestion, 'guided');
  assert.equal(byPointer.get('/strategy/use')?.value, 'guidd');
  assert.equal(byPointer.get('/train/optimizer/type')?.suggestion, 'adam');
  assert.equal(byPointer.get('/dataset/options/samples')?.value, 'many');
  assert.equal(byPointer.get('/model/fusion/options/ratio')?.value, -1);
});

test('the H6 example: misspelt strategy id, wrong option type, unknown key', () => {
  const issues = issuesOf({
    ...fixtureConfig(),
    strategy: { use: 'guidedd', options: {} },
    dataset: { use: 'colored-mnist', options: { samples: 'ten' } },
    trian: { epochs: 3 },
  });
  assert.deepEqual(issues, [
    { pointer: '/trian', message: issues[0]!.message, value: { epochs: 3 }, suggestion: 'train' },
    { pointer: '/dataset/options/samples', message: 'must be integer, but got "ten"', value: 'ten' },
    { pointer: '/strategy/use', message: 'unknown strategy "guidedd"', value: 'guidedd', suggestion: 'guided' },
  ]);
});

test('an unknown key inside a component\'s options suggests the allowed key', () => {
  const issues = issuesOf({ ...fixtureConfig(), strategy: { use: 'guided', options: { alhpa: 0.1 } } });
  assert.deepEqual(issues.map((i) => [i.pointer, i.suggestion]), [['/strategy/options/alhpa', 'alpha']]);
});

test('unknown ids without a near match list the known ids; the kind is taken from the field', () => {
  const issues = issuesOf({ ...fixtureConfig(), dataset: { use: 'imagenet' }, model: { encoders: [{ use: 'cnn' }, { use: 'resnet18' }] } });
  assert.deepEqual(pointers(issues), ['/dataset/use', '/model/encoders/1/use']);
  assert.equal(issues[0]!.suggestion, undefined);
  assert.match(issues[0]!.message, /colored-mnist, modelnet40/);
});

test('missing required fields, nullable unions and the encoder count are checked', () => {
  assert.deepEqual(pointers(issuesOf({ name: 'x' })), ['/dataset', '/model']);
  const issues = issuesOf({ ...fixtureConfig(), model: { modalities: 'all', encoders: [] } });
  assert.deepEqual(pointers(issues), ['/model/modalities', '/model/encoders']);
  assert.match(issues[0]!.message, /an array or null/);
  const count = issuesOf({ ...fixtureConfig(), model: { modalities: [0, 1, 2], encoders: [{ use: 'cnn' }, { use: 'cnn' }] } });
  assert.deepEqual(pointers(count), ['/model/encoders']);
  assert.deepEqual(issuesOf({ ...fixtureConfig(), model: { modalities: [1], encoders: [{ use: 'cnn' }] } }), []);
  assert.deepEqual(pointers(issuesOf([1, 2])), ['']);
});

test('model.encoders[k].init: defaults applied to an object, null by default, every bad field reported', () => {
  const withInit = (init: unknown): unknown => ({ ...fixtureConfig(), model: { encoders: [{ use: 'cnn' }, { use: 'cnn', init }] } });
  const config = validateConfig(withInit({ from: 'weights/i3d.json' }), { registry: fixtureRegistry(), file: 'x.json' });
  assert.equal(config.model.encoders[0]!.init, null);
  assert.deepEqual(config.model.encoders[1]!.init, { from: 'weights/i3d.json', format: 'auto', sourcePrefix: null, strict: true });
  const explicit = validateConfig(withInit({ from: 'run/checkpoints/best', format: 'checkpoint', sourcePrefix: 'model/branch.0.', strict: false }), {
    registry: fixtureRegistry(),
    file: 'x.json',
  });
  assert.deepEqual(explicit.model.encoders[1]!.init, { from: 'run/checkpoints/best', format: 'checkpoint', sourcePrefix: 'model/branch.0.', strict: false });
  assert.deepEqual(issuesOf(withInit(null)), []);
  // defineConfig accepts an init with only `from` (the rest has defaults).
  const typed = defineConfig({ name: 'x', dataset: { use: 'colored-mnist' }, model: { encoders: [{ use: 'cnn', init: { from: 'w.json', strict: false } }] } });
  assert.equal(validateConfig(typed, { registry: fixtureRegistry(), file: 'x.ts' }).model.encoders[0]!.init?.strict, false);

  const issues = issuesOf(withInit({ form: 'x.json', format: 'onnx', strict: 'yes', sourcePrefix: 3 }));
  assert.deepEqual(pointers(issues).sort(), [
    '/model/encoders/1/init/form',
    '/model/encoders/1/init/format',
    '/model/encoders/1/init/from',
    '/model/encoders/1/init/sourcePrefix',
    '/model/encoders/1/init/strict',
  ]);
  const byPointer = new Map(issues.map((i) => [i.pointer, i]));
  assert.equal(byPointer.get('/model/encoders/1/init/form')?.suggestion, 'from');
  assert.equal(byPointer.get('/model/encoders/1/init/format')?.value, 'onnx');
  assert.deepEqual(pointers(issuesOf(withInit({ from: '' }))), ['/model/encoders/1/init/from']);
  assert.deepEqual(pointers(issuesOf(withInit('weights.json'))), ['/model/encoders/1/init']);
});

test('checkCoreConfig does not modify its input', () => {
  const raw = fixtureConfig();
  const before = JSON.stringify(raw);
  checkCoreConfig(raw);
  assert.equal(JSON.stringify(raw), before);
});

test('the published core schema documents every field and gives a default to every optional one', () => {
  const missing: string[] = [];
  (function walk(node: Record<string, unknown>, path: string): void {
    const props = node['properties'] as Record<string, Record<string, unknown>> | undefined;
    const required = new Set((node['required'] as string[] | undefined) ?? []);
    for (const [key, sub] of Object.entries(props ?? {})) {
      const at = `${path}/${key}`;
      if (typeof sub['description'] !== 'string' && !(node['discriminator'] === undefined && key === 'type')) missing.push(`${at}: description`);
      const isBranchTag = key === 'type' && 'const' in sub;
      if (!required.has(key) && !('default' in sub) && key !== '$schema' && !isBranchTag) missing.push(`${at}: default`);
      walk(sub, at);
      for (const branch of (sub['oneOf'] as Record<string, unknown>[] | undefined) ?? []) walk(branch, `${at}(${String((branch['title'] ?? '?'))})`);
      if (typeof sub['items'] === 'object') walk(sub['items'] as Record<string, unknown>, `${at}/*`);
    }
  })(getCoreSchema(), '');
  assert.deepEqual(missing, []);
});
