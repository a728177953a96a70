import { openSync, readSync, closeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeRecords, type DecodeLayout } from './batch-decoder.js';

/** The first message: where the records are (shared memory or the cache file) and how to decode them. */
export interface DecodeInit {
  readonly layout: DecodeLayout;
  readonly memory?: Uint8Array;
  readonly file?: string;
}

/** One batch: the records to decode, in batch order, and the flip of each sample's views. */
export interface DecodeRequest {
  readonly id: number;
  readonly records: Int32Array;
  readonly flips: Uint8Array;
}

export type DecodeReply = { readonly id: number; readonly inputs: Float32Array[] } | { readonly id: number; readonly error: string };

// A BatchDecoder worker: decodes batches off the main thread, so the next batch is ready when a step ends.
let init: DecodeInit | undefined;
let fd: number | undefined;
parentPort!.on('message', (msg: DecodeInit | DecodeRequest) => {
  if (!('id' in msg)) {
    init = msg;
    if (!init.memory && init.file) fd = openSync(init.file, 'r');
    return;
  }
  try {
    const { layout, memory } = init!;
    const recordBytes = layout.views * layout.height * layout.width * 3;
    const raw = new Uint8Array(msg.records.length * recordBytes);
    for (let i = 0; i < msg.records.length; i++) {
      const r = msg.records[i]!;
      if (memory) raw.set(memory.subarray(r * recordBytes, (r + 1) * recordBytes), i * recordBytes);
      else if (readSync(fd!, raw, i * recordBytes, recordBytes, r * recordBytes) !== recordBytes) throw new Error(`record ${r} is truncated`);
    }
    const inputs = decodeRecords(raw, msg.records.length, msg.flips, layout);
    const reply: DecodeReply = { id: msg.id, inputs };
    parentPort!.postMessage(reply, inputs.map((a) => a.buffer as ArrayBuffer));
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies DecodeReply);
  }
});
parentPort!.on('close', () => {
  if (fd !== undefined) closeSync(fd);
});
