// Run folders written by hand (summary.json, manifest.json, metrics.jsonl, in the shapes of
// engine/run/metric-records.ts), for tests of what the report and `ungreedy report` read from a matrix folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HandRun {
  readonly label: string;
  readonly seed: number;
  readonly dataset?: string;
  /** One entry: a uni-modal baseline of that modality. Default [0, 1]. */
  readonly modalities?: readonly number[];
  /** `running`: a manifest only (a partial run); `failed`: both files say failed. Default completed. */
  readonly status?: 'completed' | 'failed' | 'running';
  /** Test accuracy (%) per epoch 1, 2, …; the summary's test accuracy is the last. */
  readonly testAcc?: readonly number[];
  /** d_speed per step 0, 1, …; `rebalance` lists the steps in a re-balancing step. */
  readonly dSpeed?: readonly number[];
  readonly rebalance?: readonly number[];
  /** Folder name (default `seed<k>`), e.g. `seed2.failed-1` for an attempt compare kept aside. */
  readonly folder?: string;
}

const split = (acc: number, heads: number): object => ({ loss: 1, acc, accHeads: new Array<number>(heads).fill(acc), samples: 10 });

/** Writes `<out>/<dataset>/<label>/<folder>` and returns its path. */
export function writeHandRun(out: string, r: HandRun): string {
  const modalities = r.modalities ?? [0, 1];
  const status = r.status ?? 'completed';
  const dir = join(out, r.dataset ?? 'cm', r.label, r.folder ?? `seed${r.seed}`);
  mkdirSync(dir, { recursive: true });
  const error = status === 'failed' ? { code: 'UNG_ERR_RUN_DIVERGED', message: 'the loss became NaN' } : null;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ status, startedAt: '2026-01-01T00:00:00Z', error }));
  const acc = r.testAcc ?? [50, 60];
  if (status !== 'running') {
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({
      status, seed: r.seed, strategy: modalities.length === 1 ? 'vanilla' : r.label, modalities, modalityNames: ['gray', 'color'],
      error, test: status === 'completed' ? { acc: acc[acc.length - 1]!, accHeads: modalities.map(() => acc[acc.length - 1]!) } : null, utilization: null,
    }));
  }
  const lines = acc.map((a, i) => JSON.stringify({
    type: 'epoch', epoch: i + 1, lr: 0.1, train: split(a, modalities.length), val: null, test: split(a, modalities.length), seconds: 1,
  }));
  (r.dSpeed ?? []).forEach((d, step) => lines.push(JSON.stringify({
    type: 'step', step, epoch: 1, mode: { kind: r.rebalance?.includes(step) ? 'rebalance' : 'regular' }, loss: 1, s: [d, 0], dSpeed: d,
    mu: { main: [1, 1], bypass: [1, 1] },
  })));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}
