import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { ForwardMode } from '../model/fusion-block.js';
import { silentLogger } from '../../testing/silent-logger.js';
import { stepContext, strategyContext } from '../../testing/strategy-context.js';
import type { JsonObject } from '../util/json.js';
import { RebalancingStrategy, requireMultiModal } from './rebalancing-strategy.js';
import type { RebalancingOptions, RebalancingState } from './rebalancing-strategy.js';

interface LastState extends RebalancingState {
  last: number | null;
}

/** Re-balances the last modality on every step once unlocked: just enough to exercise the base class. */
class HelpLast extends RebalancingStrategy<RebalancingOptions, LastState> {
  constructor(options: RebalancingOptions, numModalities: number, log: Logger) {
    super({ id: 'help-last', stateShape: '{ unlocked, last }', initialState: { unlocked: false, last: null } }, options, numModalities, log);
  }

  chooseForwardMode(): ForwardMode {
    return this.state.unlocked ? { kind: 'rebalance', modality: this.numModalities - 1 } : { kind: 'regular' };
  }

  protected parseState(state: JsonObject): LastState | undefined {
    const { unlocked, last } = state as Partial<LastState>;
    return typeof unlocked === 'boolean' && (last === null || this.isModality(last)) ? { unlocked, last } : undefined;
  }
}

const options: RebalancingOptions = { warmupEpochs: 2, rebalanceUpdates: 'helped-branch', evaluationMode: 'as-training' };
const make = (numModalities = 2) => new HelpLast(options, numModalities, silentLogger());

test('unlocks at epoch warmupEpochs + 1 and stays unlocked', () => {
  const s = make();
  const unlockedAfter = [1, 2, 3, 1].map((epoch) => {
    s.onEpochBegin(strategyContext({ epoch }));
    return s.stateDict().unlocked;
  });
  assert.deepEqual(unlockedAfter, [false, false, true, true]);
});

test('evaluationMode comes from the options; updateMask follows rebalanceUpdates', () => {
  const s = make(3);
  assert.equal(s.evaluationMode, 'as-training');
  assert.equal(s.updateMask(stepContext({ mode: { kind: 'regular' } })), undefined);
  assert.deepEqual([...s.updateMask(stepContext({ mode: { kind: 'rebalance', modality: 2 } }))!].sort(), [
    'branch/2',
    'fusion/2',
    'fusion/shared',
    'head/2',
  ]);
});

test('stateDict is a copy; loadStateDict restores a valid state exactly', () => {
  const s = make();
  const saved = s.stateDict();
  saved.unlocked = true;
  assert.equal(s.stateDict().unlocked, false);
  s.loadStateDict({ unlocked: true, last: 1 });
  assert.deepEqual(s.stateDict(), { unlocked: true, last: 1 });
  assert.deepEqual(s.chooseForwardMode(), { kind: 'rebalance', modality: 1 });
});

test('loadStateDict rejects foreign state and out-of-range modalities with data { strategy, state }', () => {
  const foreign: JsonObject[] = [{ mode: 'regular' }, { unlocked: true, last: 2 }, { unlocked: true, last: -1 }, { unlocked: 'yes', last: null }];
  for (const state of foreign) {
    assert.throws(
      () => make().loadStateDict(state),
      (err: unknown) => {
        assert.ok(isUngreedyError(err, 'UNG_ERR_CHECKPOINT_MISMATCH'), JSON.stringify(state));
        assert.deepEqual(err.data, { strategy: 'help-last', state });
        return true;
      },
    );
  }
});

test('requireMultiModal rejects fewer than two modalities with data { strategy, numModalities }', () => {
  requireMultiModal('help-last', 2);
  assert.throws(
    () => requireMultiModal('help-last', 1),
    (err: unknown) => {
      assert.ok(isUngreedyError(err, 'UNG_ERR_MODEL_MISMATCH'));
      assert.deepEqual(err.data, { strategy: 'help-last', numModalities: 1 });
      return true;
    },
  );
});
