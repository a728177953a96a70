import { Worker } from 'node:worker_threads';
import { deserialiseError } from './batch-assembly.js';
import type { AssemblyLayout, SampleJob } from './batch-assembly.js';
import type { AssembleReply, AssembleRequest } from './clip-worker.js';

interface Pending {
  resolve(inputs: Float32Array[]): void;
  reject(err: unknown): void;
}

/**
 * Worker threads that assemble batches (read the cached clips, cut, normalise), so a batch is built in
 * parallel with the training step instead of between steps. Batches go to the threads in turn. Idle
 * threads are unref'd and never keep the process alive; `close()` ends them.
 */
export class ClipWorkers {
  private readonly workers: Worker[] = [];
  private readonly pending: Array<Map<number, Pending>> = [];
  private nextId = 0;

  constructor(count: number) {
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    const url = new URL(`./clip-worker.${ext}`, import.meta.url);
    for (let i = 0; i < count; i++) {
      // Under tsx (tests, development) the worker must register tsx's hooks before it loads TypeScript;
      // tsx is resolved from this package, since an eval'd worker would resolve it from the working folder.
      const worker =
        ext === 'ts'
          ? new Worker(
              `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`,
              { eval: true },
            )
          : new Worker(url);
      const pending = new Map<number, Pending>();
      worker.unref();
      worker.on('message', (reply: AssembleReply) => {
        const p = pending.get(reply.id);
        if (!p) return;
        pending.delete(reply.id);
        if (pending.size === 0) worker.unref();
        if ('error' in reply) p.reject(deserialiseError(reply.error));
        else p.resolve(reply.inputs);
      });
      worker.on('error', (err) => {
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      });
      this.workers.push(worker);
      this.pending.push(pending);
    }
  }

  assemble(layout: AssemblyLayout, jobs: readonly SampleJob[]): Promise<Float32Array[]> {
    const id = this.nextId++;
    const k = id % this.workers.length;
    const worker = this.workers[k]!;
    const pending = this.pending[k]!;
    // Referenced only while a batch is on its way, so an awaited batch keeps the process alive.
    if (pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, layout, jobs } satisfies AssembleRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
