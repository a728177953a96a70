import { readFileSync } from 'node:fs';
import { maskedCrc32c } from './tensorboard.js';

/** One scalar point read back from an event file. */
export interface ScalarEvent {
  readonly tag: string;
  readonly value: number;
  readonly step: number;
  readonly wallTime: number;
}

/**
 * Reads a TensorBoard event file: walks its TFRecords, verifying both masked CRC-32Cs of each, and decodes the
 * scalar summaries (the subset {@link TensorBoardWriter} writes). Throws a RangeError on a bad CRC or a torn
 * record. Used by tests and `ungreedy report` checks; TensorBoard itself reads the same bytes.
 */
export function readEventFile(file: string): { fileVersion: string | null; scalars: ScalarEvent[]; records: number } {
  const bytes = new Uint8Array(readFileSync(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scalars: ScalarEvent[] = [];
  let fileVersion: string | null = null;
  let records = 0;
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new RangeError(`event file ${file}: torn record header at byte ${at}`);
    const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) throw new RangeError(`event file ${file}: bad length CRC at byte ${at}`);
    const start = at + 12;
    if (start + length + 4 > bytes.length) throw new RangeError(`event file ${file}: torn record at byte ${at}`);
    const data = bytes.subarray(start, start + length);
    if (view.getUint32(start + length, true) !== maskedCrc32c(data)) throw new RangeError(`event file ${file}: bad data CRC at byte ${at}`);
    records++;
    const event = decodeEvent(data);
    if (event.fileVersion !== undefined) fileVersion = event.fileVersion;
    for (const v of event.values) scalars.push({ tag: v.tag, value: v.value, step: event.step, wallTime: event.wallTime });
    at = start + length + 4;
  }
  return { fileVersion, scalars, records };
}

interface Field {
  readonly field: number;
  readonly wire: number;
  readonly value: number | bigint | Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1) {
      yield { field, wire, value: view.getFloat64(at, true) };
      at += 8;
    } else if (wire === 2) {
      const n = Number(varint());
      yield { field, wire, value: buf.subarray(at, at + n) };
      at += n;
    } else if (wire === 5) {
      yield { field, wire, value: view.getFloat32(at, true) };
      at += 4;
    } else {
      throw new RangeError(`unsupported protobuf wire type ${wire}`);
    }
  }
}

function decodeEvent(buf: Uint8Array): { wallTime: number; step: number; fileVersion?: string; values: { tag: string; value: number }[] } {
  let wallTime = 0;
  let step = 0;
  let fileVersion: string | undefined;
  const values: { tag: string; value: number }[] = [];
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  for (const f of fields(buf)) {
    if (f.field === 1 && f.wire === 1) wallTime = f.value as number;
    else if (f.field === 2 && f.wire === 0) step = Number(BigInt.asIntN(64, f.value as bigint));
    else if (f.field === 3 && f.wire === 2) fileVersion = text(f.value as Uint8Array);
    else if (f.field === 5 && f.wire === 2) {
      for (const v of fields(f.value as Uint8Array)) {
        if (v.field !== 1 || v.wire !== 2) continue;
        let tag = '';
        let value = NaN;
        for (const x of fields(v.value as Uint8Array)) {
          if (x.field === 1 && x.wire === 2) tag = text(x.value as Uint8Array);
          else if (x.field === 2 && x.wire === 5) value = x.value as number;
        }
        values.push({ tag, value });
      }
    }
  }
  return { wallTime, step, ...(fileVersion === undefined ? {} : { fileVersion }), values };
}
