import { builtinPlugin } from '../engine/assembly/builtins.js';
import { StrategyTester } from './strategy-tester.js';

// Core's own strategies pass the same conformance suite as any plugin's.
for (const [id, contribution] of Object.entries(builtinPlugin.strategies)) {
  new StrategyTester().run(id, contribution, {
    plugin: builtinPlugin,
    valid: [],
    invalid: [{ options: { alpha: 1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/alpha' }],
  });
}
