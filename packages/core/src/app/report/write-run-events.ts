import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecords } from '../compare/read-runs.js';
import { TensorBoardWriter } from './tensorboard.js';

/** Folder of a run's event files; one sub-run per head so TensorBoard overlays `acc/test` of all heads. */
export const TENSORBOARD_DIR = 'tensorboard';

/** Sub-run names of a run: `fused`, then `head<k>-<modality name>` per dataset modality k the model used. */
export function headRunNames(run: Pick<RunRecords, 'summary'>): string[] {
  const s = run.summary;
  if (s === null) return ['fused'];
  return ['fused', ...s.modalities.map((m, i) => `head${m}-${sanitize(s.modalityNames[i] ?? `m${m}`)}`)];
}

const sanitize = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * Writes `<run>/tensorboard/<sub-run>/events.out.tfevents.*` from the run's metrics.jsonl (replacing earlier
 * ones, so it can be rerun): per epoch `acc/train|val|test`, `loss/train|val|test` (fused) and `lr`; per step
 * `loss/step` and `speed/d_speed` (fused) and `speed/s` (each head); at the end `util/u` (heads) and
 * `util/d_util` (fused); strategy metrics (`ctx.metrics.record`, docs/hooks.md) as `strategy/epoch/<name>` and
 * `strategy/step/<name>` (fused). The step of epoch scalars is the epoch number. Returns the files written.
 */
export function writeRunEvents(run: RunRecords): string[] {
  const root = join(run.dir, TENSORBOARD_DIR);
  rmSync(root, { recursive: true, force: true });
  const names = headRunNames(run);
  const started = run.manifest ? Date.parse(run.manifest.startedAt) / 1000 : Date.now() / 1000;
  const writers = names.map((n) => new TensorBoardWriter(join(root, n), started));
  const [fused, ...heads] = writers as [TensorBoardWriter, ...TensorBoardWriter[]];
  let clock = started;
  const epochEnd = new Map<number, number>();
  for (const e of run.epochs) {
    clock += e.seconds;
    epochEnd.set(e.epoch, clock);
    for (const split of ['train', 'val', 'test'] as const) {
      const m = e[split];
      if (m === null) continue;
      fused.scalar(`acc/${split}`, m.acc, e.epoch, clock);
      fused.scalar(`loss/${split}`, m.loss, e.epoch, clock);
      heads.forEach((w, i) => {
        const acc = m.accHeads[i];
        if (acc !== undefined) w.scalar(`acc/${split}`, acc, e.epoch, clock);
      });
    }
    fused.scalar('lr', e.lr, e.epoch, clock);
    for (const [name, v] of Object.entries(e.strategy ?? {})) fused.scalar(`strategy/epoch/${name}`, v, e.epoch, clock);
  }
  for (const s of run.steps) {
    const wall = epochEnd.get(s.epoch) ?? clock;
    fused.scalar('loss/step', s.loss, s.step, wall);
    if (s.dSpeed !== null) fused.scalar('speed/d_speed', s.dSpeed, s.step, wall);
    for (const [name, v] of Object.entries(s.strategy ?? {})) fused.scalar(`strategy/step/${name}`, v, s.step, wall);
    heads.forEach((w, i) => {
      const v = s.s[i];
      if (typeof v === 'number') w.scalar('speed/s', v, s.step, wall);
    });
  }
  const u = run.summary?.utilization;
  if (u) {
    fused.scalar('util/d_util', u.dUtil, u.epoch, clock);
    heads.forEach((w, i) => {
      const v = u.u[i];
      if (v !== undefined) w.scalar('util/u', v, u.epoch, clock);
    });
  }
  for (const w of writers) w.close();
  return writers.map((w) => w.file);
}
