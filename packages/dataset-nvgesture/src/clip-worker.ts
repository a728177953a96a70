import { parentPort } from 'node:worker_threads';
import { assembleBatch, serialiseError } from './batch-assembly.js';
import type { AssemblyLayout, SampleJob, SerialisedError } from './batch-assembly.js';

/** A request to a clip worker: assemble one batch. */
export interface AssembleRequest {
  readonly id: number;
  readonly layout: AssemblyLayout;
  readonly jobs: readonly SampleJob[];
}

export type AssembleReply = { readonly id: number; readonly inputs: Float32Array[] } | { readonly id: number; readonly error: SerialisedError };

// A ClipWorkers thread: reads and cuts batches off the main thread, so the next batch is assembled while
// the training step runs. The arrays go back as transferred buffers (no copy).
parentPort!.on('message', (msg: AssembleRequest) => {
  assembleBatch(msg.layout, msg.jobs).then(
    (inputs) => parentPort!.postMessage({ id: msg.id, inputs } satisfies AssembleReply, inputs.map((a) => a.buffer as ArrayBuffer)),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, error: serialiseError(err) } satisfies AssembleReply),
  );
});
