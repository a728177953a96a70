import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@ungreedy/core/testing';
import { Rng, type DatasetContext, type Logger } from '@ungreedy/core';
import { makeModelNet40Mini, type MakeMiniOptions, type MakeMiniResult } from '../make-modelnet40-mini.js';

export const silentLog: Logger = silentLogger();

/** A fresh temporary folder; remove it with `rm(dir, { recursive: true })`. */
export function tempDir(prefix = 'ungreedy-mn40-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The tiny set every dataset test uses: 4 classes × (5 train + 2 test), 12 views at 16 px. */
export const TINY: Omit<MakeMiniOptions, 'out'> = { classes: 4, perClassTrain: 5, perClassTest: 2, size: 16, seed: 3 };

export async function makeTiny(out: string, extra: Partial<MakeMiniOptions> = {}): Promise<MakeMiniResult> {
  return makeModelNet40Mini({ ...TINY, ...extra, out });
}

/** Copies a generated tree so a test can damage it without touching the shared one. */
export async function copyTree(from: string, to: string): Promise<string> {
  await cp(from, to, { recursive: true });
  return to;
}

export function datasetContext(configDir: string, cacheDir: string, seed = 1): DatasetContext {
  return { rng: Rng.fromSeed(seed, 'data'), log: silentLog, configDir, cacheDir };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
