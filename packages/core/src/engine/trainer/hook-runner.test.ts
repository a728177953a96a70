import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../../contract/errors/errors.js';
import { Rng } from '../../contract/rng/rng.js';
import type { EpochContext } from '../../contract/strategy/balancing-strategy.js';
import { epochContext, stepContext } from '../../testing/strategy-context.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import { silentLog } from './fixtures/experiment.js';
import { HookRunner } from './hook-runner.js';
import { HOOKS } from '../../contract/strategy/hooks.js';

const ctx: EpochContext = epochContext({ epoch: 3, step: 41, stepInEpoch: 1, stepsPerEpoch: 20, numModalities: 2, rng: Rng.fromSeed(1), log: silentLog });

test('defaults: regular mode, base loss, no mask, observers optional', async () => {
  const runner = new HookRunner({ evaluationMode: 'regular' }, 'p');
  assert.deepEqual(runner.chooseForwardMode(ctx), { kind: 'regular' });
  await runner.onEpochBegin(ctx);
  await runner.onEpochEnd(ctx);
});

test('a sync or async throw is wrapped as UNG_ERR_HOOK_FAILED with plugin, hook, epoch, step and cause', async () => {
  const cause = new Error('nope');
  const runner = new HookRunner(
    {
      evaluationMode: 'regular',
      chooseForwardMode: () => {
        throw cause;
      },
      onEpochEnd: async () => {
        await Promise.resolve();
        throw cause;
      },
    },
    'ungreedy-strategy-x',
  );
  assert.throws(
    () => runner.chooseForwardMode(ctx),
    (e) =>
      isUngreedyError(e, 'UNG_ERR_HOOK_FAILED') &&
      JSON.stringify(e.data) === JSON.stringify({ plugin: 'ungreedy-strategy-x', hook: 'chooseForwardMode', epoch: 3, step: 41 }) &&
      e.cause === cause,
  );
  await assert.rejects(runner.onEpochEnd(ctx), (e) => isUngreedyError(e, 'UNG_ERR_HOOK_FAILED') && e.data['hook'] === 'onEpochEnd');
});

test('a mask naming a parameter group the model does not have fails the step instead of being ignored', () => {
  const stepCtx = stepContext({ ...ctx });
  const groups = new Set<ParamGroupId>(['branch/0', 'branch/1', 'head/0', 'head/1']);
  const good = new HookRunner({ evaluationMode: 'regular', updateMask: () => new Set<ParamGroupId>(['branch/0']) }, 'p');
  assert.deepEqual([...good.updateMask(stepCtx, groups)!], ['branch/0']);
  const bad = new HookRunner({ evaluationMode: 'regular', updateMask: () => new Set<ParamGroupId>(['fusion/0']) }, 'p');
  assert.throws(() => bad.updateMask(stepCtx, groups), (e) => isUngreedyError(e, 'UNG_ERR_HOOK_FAILED') && e.data['hook'] === 'updateMask');
});

test('an observer that throws is named as the plugin', async () => {
  const runner = new HookRunner({ evaluationMode: 'regular' }, 'p', [
    {
      name: 'my-probe',
      order: 'post',
      onEpochBegin: () => {
        throw new Error('x');
      },
    },
  ]);
  await assert.rejects(runner.onEpochBegin(ctx), (e) => isUngreedyError(e, 'UNG_ERR_HOOK_FAILED') && e.data['plugin'] === 'my-probe');
});

test('docs/hooks.md lists exactly the hooks of HOOKS, with their order, kind and phase', () => {
  const doc = readFileSync(new URL('../../../docs/hooks.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| `(\w+)` \| (\w+) \| (\w+) \|/gm)].map((m) => ({
    order: Number(m[1]),
    hook: m[2],
    kind: m[3],
    phase: m[4],
  }));
  const expected = Object.entries(HOOKS)
    .map(([hook, spec]) => ({ order: spec.order, hook, kind: spec.kind, phase: spec.phase }))
    .sort((a, b) => a.order - b.order);
  assert.deepEqual(rows, expected);
});
