import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a file of `StrategyTester.run` calls in a child process; returns the failed checks of each strategy. */
function failures(file: string): Map<string, string[]> {
  const result = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', 'tsx', '--test', '--test-reporter=tap', file], {
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  const out = new Map<string, string[]>();
  let pending: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const m = /^(\s*)(ok|not ok) \d+ - (.*?)(?: # .*)?$/.exec(line);
    if (!m) continue;
    const [, indent, status, name] = m;
    if (indent!.length > 0) {
      if (status === 'not ok') pending.push(name!);
      continue;
    }
    const strategy = /^strategy "(.*)" conformance$/.exec(name!)?.[1];
    if (strategy) out.set(strategy, pending);
    pending = [];
  }
  return out;
}

test('the conformance kit fails each broken strategy on exactly the broken rule, and passes a sound one', () => {
  const got = failures(fileURLToPath(new URL('./test-fixtures/broken-strategies.ts', import.meta.url)));
  const contract = 'valid {}: created for 2 modalities, hooks keep the mode contract';
  const engine = 'trains 2 epochs with the real engine: hooks in HOOKS order, modes recorded as chosen';
  const realResume = 'resumed from a real checkpoint, a run repeats the uninterrupted run exactly';
  const resume = 'valid {}: stateDict round-trips through JSON and a resumed instance decides the same';
  assert.deepEqual(Object.fromEntries(got), {
    sound: [],
    'empty-schema': ['meta: description, strict schema with additionalProperties: false, defaults accepted'],
    'bad-mode': [contract, engine, realResume],
    // The engine refuses a mask naming a group the model lacks, so the real runs fail too.
    'unknown-group': [contract, engine, realResume],
    'stateful-without-state': [resume, realResume],
    unseeded: ['valid {}: the same seed gives the same decisions', resume, realResume],
    leaky: ['no tensor leaks over 8 steps'],
    'disposes-gradients': [contract, engine, realResume],
    'wrong-error': ['invalid {"every":6}: UNG_ERR_CONFIG_INVALID at /every'],
  });
});
