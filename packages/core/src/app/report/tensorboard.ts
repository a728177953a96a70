import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * A TensorBoard event-file writer in plain TypeScript (no native dependency): TFRecord framing with masked
 * CRC-32C, and the few protobuf fields of `Event` / `Summary` that scalar plots need. TensorBoard and
 * `tensorboard.backend.event_processing` read these files like any written by TensorFlow or PyTorch.
 */
export class TensorBoardWriter {
  private fd: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  readonly file: string;

  constructor(dir: string, wallTimeSeconds = Date.now() / 1000) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `events.out.tfevents.${Math.floor(wallTimeSeconds)}.${hostname()}`);
    this.fd = openSync(this.file, 'w');
    this.writeEvent(encodeEvent({ wallTime: wallTimeSeconds, step: 0, fileVersion: 'brain.Event:2' }));
  }

  /** Appends one scalar point. */
  scalar(tag: string, value: number, step: number, wallTimeSeconds = Date.now() / 1000): void {
    this.writeEvent(encodeEvent({ wallTime: wallTimeSeconds, step, scalar: { tag, value } }));
  }

  /** Writes buffered events to the file. */
  flush(): void {
    if (this.fd < 0 || this.pending.length === 0) return;
    const all = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const p of this.pending) {
      all.set(p, at);
      at += p.length;
    }
    writeSync(this.fd, all);
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }

  // Buffered: a run's event file has one record per scalar per step, and one write per record is slow.
  private writeEvent(event: Uint8Array): void {
    const record = tfRecord(event);
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes > 1 << 20) this.flush();
  }
}

/** One TFRecord: length (u64 LE), masked CRC of the length, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as TFRecord uses. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's CRC mask: rotate right by 15 and add a constant. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

interface EventFields {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalar?: { tag: string; value: number };
}

/** Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; } */
export function encodeEvent(e: EventFields): Uint8Array {
  const parts: number[] = [];
  parts.push(tag(1, 1), ...float64(e.wallTime));
  parts.push(tag(2, 0), ...varint(e.step));
  if (e.fileVersion !== undefined) parts.push(...lengthDelimited(3, utf8(e.fileVersion)));
  if (e.scalar) {
    // Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
    const value = [...lengthDelimited(1, utf8(e.scalar.tag)), tag(2, 5), ...float32(e.scalar.value)];
    const summary = lengthDelimited(1, value);
    parts.push(...lengthDelimited(5, summary));
  }
  return Uint8Array.from(parts);
}

function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

function lengthDelimited(field: number, bytes: ArrayLike<number>): number[] {
  return [tag(field, 2), ...varint(bytes.length), ...Array.from(bytes)];
}

function float64(x: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return Array.from(b);
}

function float32(x: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return Array.from(b);
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
