import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { JsonObject } from '@ungreedy/core';
import { trainTiny, weightNormRecorder } from '@ungreedy/core/testing';
import type { TinyRun } from '@ungreedy/core/testing';
import plugin from './index.js';

// Modality 1 is much easier than modality 0 (stronger class signal, less noise), so joint training lets branch 0
// lean on m1 through the fusion block: u(m1|m0) > u(m0|m1), d_util > 0 (greedy learning). Tuned on the data:
// seeds 1-5 all show vanilla d_util > 0 and guided |d_util| below vanilla's.
const experiment: JsonObject = {
  seed: 1,
  dataset: {
    options: {
      numClasses: 4,
      sizes: { train: 256, val: 32, test: 256 },
      modalities: [
        { shape: [8], signal: 0.6, noise: 1 },
        { shape: [8], signal: 1.5, noise: 0.5 },
      ],
    },
  },
  model: { encoders: [{ use: 'mlp', options: { hidden: [16] } }] },
  train: { epochs: 8, batchSize: 16 },
};

async function train(strategy: JsonObject): Promise<TinyRun> {
  return trainTiny({ plugins: [plugin], config: { ...experiment, strategy } });
}

function stepsOf(run: TinyRun, key: string): number {
  return run.epochs.reduce((n, e) => n + (e.stepsByMode[key] ?? 0), 0);
}

test('on data with one much easier modality, guided re-balances the slower one and shrinks |d_util| vs vanilla', async () => {
  const vanilla = await train({ use: 'vanilla' });
  const guided = await train({ use: 'guided' });
  try {
    const dVanilla = vanilla.summary.utilization!.dUtil;
    const dGuided = guided.summary.utilization!.dUtil;
    assert.ok(dVanilla > 0.05, `vanilla should under-use m0 (d_util > 0), but got ${dVanilla}`);
    assert.equal(stepsOf(vanilla, 'rebalance/0') + stepsOf(vanilla, 'rebalance/1'), 0);
    // m0 learns slower: guided helps it, and re-balances nothing during its warm-up epoch.
    assert.ok(stepsOf(guided, 'rebalance/0') > stepsOf(guided, 'rebalance/1'), JSON.stringify(guided.epochs.map((e) => e.stepsByMode)));
    assert.deepEqual(guided.epochs[0]!.stepsByMode, { regular: 16 });
    assert.ok(Math.abs(dGuided) < Math.abs(dVanilla), `guided |d_util| ${dGuided} should be below vanilla's ${dVanilla}`);
  } finally {
    rmSync(vanilla.dir, { recursive: true, force: true });
    rmSync(guided.dir, { recursive: true, force: true });
  }
});

test('rebalanceUpdates: helped-branch updates only θ_k + θ′_k on a re-balancing step; all updates every group', async () => {
  // Weight norms per group, seen before each optimizer step (weightNormRecorder): a group the previous step did
  // not update keeps its exact norm. Plain SGD without momentum or decay, so a masked group cannot move.
  const config = { ...experiment, train: { epochs: 2, batchSize: 16 }, strategy: { use: 'guided', options: { rebalanceUpdates: 'helped-branch' } } };
  const helped = weightNormRecorder();
  const all = weightNormRecorder();
  const runs = [
    await trainTiny({ plugins: [plugin], config, observers: [helped.observer] }),
    await trainTiny({
      plugins: [plugin],
      config: { ...config, strategy: { use: 'guided', options: { rebalanceUpdates: 'all' } } },
      observers: [all.observer],
    }),
  ];
  try {
    const changed = (seen: typeof helped.seen, i: number): string[] =>
      [...seen[i]!.weights].filter(([g, w]) => seen[i + 1]!.weights.get(g) !== w).map(([g]) => g).sort();
    const rebalanceSteps = helped.seen.map((s, i) => i).filter((i) => i + 1 < helped.seen.length && helped.seen[i]!.mode !== 'regular');
    assert.ok(rebalanceSteps.length > 3, 'the run should re-balance');
    for (const i of rebalanceSteps) {
      const k = Number(helped.seen[i]!.mode.split('/')[1]);
      // fusion/k gets no gradient while its gate is replaced by the running mean.
      assert.deepEqual(changed(helped.seen, i), [`branch/${k}`, 'fusion/shared', `head/${k}`].sort(), `step ${i} (${helped.seen[i]!.mode})`);
    }
    const regular = helped.seen.findIndex((s, i) => s.mode === 'regular' && i + 1 < helped.seen.length);
    assert.deepEqual(changed(helped.seen, regular), ['branch/0', 'branch/1', 'fusion/0', 'fusion/1', 'fusion/shared', 'head/0', 'head/1']);
    const allRebalance = all.seen.findIndex((s, i) => s.mode !== 'regular' && i + 1 < all.seen.length);
    const k = Number(all.seen[allRebalance]!.mode.split('/')[1]);
    assert.deepEqual(
      changed(all.seen, allRebalance),
      ['branch/0', 'branch/1', 'fusion/0', 'fusion/1', 'fusion/shared', 'head/0', 'head/1'].filter((g) => g !== `fusion/${k}`),
    );
  } finally {
    for (const run of runs) rmSync(run.dir, { recursive: true, force: true });
  }
});

test('N = 3 (one hard, two easy modalities): guided helps only the hard one and shrinks the utilization spread', async () => {
  const three: JsonObject = {
    ...experiment,
    dataset: {
      options: {
        numClasses: 4,
        sizes: { train: 256, val: 32, test: 256 },
        modalities: [
          { shape: [8], signal: 0.6, noise: 1 },
          { shape: [8], signal: 1.5, noise: 0.5 },
          { shape: [8], signal: 1.5, noise: 0.5 },
        ],
      },
    },
  };
  const vanilla = await trainTiny({ plugins: [plugin], config: { ...three, strategy: { use: 'vanilla' } } });
  const guided = await trainTiny({ plugins: [plugin], config: { ...three, strategy: { use: 'guided' } } });
  try {
    // For N > 2, d_util is max(u) − min(u); branch 0 is the one that leans on the others.
    const uVanilla = vanilla.summary.utilization!.u;
    assert.ok(uVanilla[0]! > uVanilla[1]! && uVanilla[0]! > uVanilla[2]!, JSON.stringify(uVanilla));
    assert.ok(stepsOf(guided, 'rebalance/0') > 0);
    assert.equal(stepsOf(guided, 'rebalance/1') + stepsOf(guided, 'rebalance/2'), 0, JSON.stringify(guided.epochs.map((e) => e.stepsByMode)));
    assert.ok(guided.summary.utilization!.dUtil < vanilla.summary.utilization!.dUtil);
  } finally {
    rmSync(vanilla.dir, { recursive: true, force: true });
    rmSync(guided.dir, { recursive: true, force: true });
  }
});
