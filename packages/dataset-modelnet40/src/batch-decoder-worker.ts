import type { Worker } from 'node:worker_threads';
import { UngreedyError } from '@ungreedy/core';
import type { DecodeInit, DecodeReply } from './decode-worker.js';
import { spawnWorker } from './spawn-worker.js';

/**
 * A worker thread that decodes batches from the view cache, so decoding the next batch runs in parallel with
 * the training step on the main thread (not merely interleaved with it). While idle it is unref'd, so it
 * never keeps the process alive; `close()` ends it.
 */
export class BatchDecoderWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (x: Float32Array[]) => void; reject: (e: unknown) => void }>();
  private nextId = 0;

  constructor(init: DecodeInit) {
    this.worker = spawnWorker('decode-worker');
    this.worker.unref();
    this.worker.on('message', (reply: DecodeReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) {
        p.reject(new UngreedyError('UNG_ERR_DATASET_CORRUPT', `view cache could not be read: ${reply.error}. Fix: delete the cache file; it is rebuilt on the next run.`, { reason: 'cache-read', file: init.file ?? null }));
      } else p.resolve(reply.inputs);
    });
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    this.worker.postMessage(init);
  }

  decode(records: Int32Array, flips: Uint8Array): Promise<Float32Array[]> {
    const id = this.nextId++;
    // Referenced only while a batch is on its way, so an awaited batch keeps the process alive.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, records, flips });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
