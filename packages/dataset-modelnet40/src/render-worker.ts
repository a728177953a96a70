import { parentPort } from 'node:worker_threads';
import { isUngreedyError } from '@ungreedy/core';
import { renderObject, type RenderTask } from './prepare-modelnet40.js';
import type { RenderReply } from './render-pool.js';

// A RenderPool worker: renders one object's views per message and answers with the count or the error.
parentPort!.on('message', async ({ id, task }: { id: number; task: RenderTask }) => {
  let reply: RenderReply;
  try {
    reply = { id, rendered: await renderObject(task) };
  } catch (err) {
    reply = isUngreedyError(err)
      ? { id, error: { code: err.code, message: err.message, data: { ...err.data } } }
      : { id, error: { message: err instanceof Error ? err.message : String(err) } };
  }
  parentPort!.postMessage(reply);
});
