import type { Worker } from 'node:worker_threads';
import { UngreedyError, type ErrorCode } from '@ungreedy/core';
import type { RenderTask } from './prepare-modelnet40.js';
import { spawnWorker } from './spawn-worker.js';

/** What a render worker answers: the images written, or the error it threw (UngreedyErrors keep code and data). */
export type RenderReply =
  | { readonly id: number; readonly rendered: number }
  | { readonly id: number; readonly error: { readonly code?: ErrorCode; readonly message: string; readonly data?: Record<string, unknown> } };

/**
 * A fixed pool of worker threads that run {@link renderObject} tasks: rendering is CPU-bound, so
 * `ungreedy prepare modelnet40 --jobs N` uses N cores. Tasks go to the least busy worker.
 */
export class RenderPool {
  private readonly workers: Array<{ worker: Worker; busy: number }> = [];
  private readonly pending = new Map<number, { resolve: (n: number) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private closing = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = spawnWorker('render-worker');
      const slot = { worker, busy: 0 };
      worker.on('message', (reply: RenderReply) => {
        slot.busy--;
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if ('error' in reply) {
          const e = reply.error;
          p.reject(e.code ? new UngreedyError(e.code, e.message.replace(/^UNG_ERR_[A-Z_]+: /, ''), e.data ?? {}) : new Error(e.message));
        } else p.resolve(reply.rendered);
      });
      worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      // A worker that ends without answering (terminated, killed by the OS) must not leave a task unsettled:
      // an awaited promise that never settles ends the process with exit 13 and no message.
      worker.on('exit', (code) => {
        if (this.closing || this.pending.size === 0) return;
        const err = new Error(`a modelnet40 render worker exited (code ${code}) with tasks unfinished`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(slot);
    }
  }

  run(task: RenderTask): Promise<number> {
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
