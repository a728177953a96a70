import { UngreedyError } from '@ungreedy/core';
import type { ErrorCode } from '@ungreedy/core';
import { readClip } from './clip-cache.js';
import type { CacheGeometry } from './clip-cache.js';
import { cutClip } from './clip-sampler.js';
import type { ClipShape, ClipWindow } from './clip-sampler.js';
import type { Normalisation } from './nvgesture.js';

/** What every batch of a dataset shares: cache geometry, the cut, and each modality's channels and normalisation. */
export interface AssemblyLayout {
  readonly geometry: CacheGeometry;
  readonly shape: ClipShape;
  readonly modalities: ReadonlyArray<{ readonly channels: number; readonly norm: Normalisation }>;
}

/** One sample: its cached clip file per modality and where to cut it. */
export interface SampleJob {
  readonly files: readonly string[];
  readonly window: ClipWindow;
}

/**
 * Reads each sample's cached clips and cuts them into one float32 array per modality, [n, T, cropH, cropW, C].
 * Runs on the main thread or in a {@link ClipWorkers} thread; pure apart from reading the files.
 */
export async function assembleBatch(layout: AssemblyLayout, jobs: readonly SampleJob[]): Promise<Float32Array[]> {
  const { geometry: g, shape: s } = layout;
  const perSample = layout.modalities.map((m) => s.frames * s.cropHeight * s.cropWidth * m.channels);
  const inputs = perSample.map((n) => new Float32Array(n * jobs.length));
  await Promise.all(
    jobs.map(async (job, i) => {
      await Promise.all(
        layout.modalities.map(async (m, k) => {
          const data = await readClip(job.files[k]!, g, m.channels);
          cutClip(data, g, m.channels, s, job.window, m.norm, inputs[k]!, i * perSample[k]!);
        }),
      );
    }),
  );
  return inputs;
}

/** An error as it crosses a thread boundary; UngreedyErrors keep their code and data. */
export interface SerialisedError {
  readonly message: string;
  readonly code?: ErrorCode;
  readonly data?: Readonly<Record<string, unknown>>;
}

export function serialiseError(err: unknown): SerialisedError {
  if (err instanceof UngreedyError) return { message: err.message.replace(/^[A-Z_]+: /, ''), code: err.code, data: err.data };
  return { message: err instanceof Error ? err.message : String(err) };
}

export function deserialiseError(e: SerialisedError): Error {
  return e.code !== undefined ? new UngreedyError(e.code, e.message, e.data ?? {}) : new Error(e.message);
}
