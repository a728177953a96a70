/** What turns cached uint8 records into a batch's float inputs; shared by the main thread and the decode worker. */
export interface DecodeLayout {
  readonly height: number;
  readonly width: number;
  readonly views: number;
  /** 3 × 256 entries: the float value of byte b in channel c at `c * 256 + b` (normalisation baked in). */
  readonly lut: Float32Array;
}

/**
 * Decodes `count` records laid out back to back in `raw` (each `views × H × W × 3` bytes) into one float32
 * array per view, `[count, H, W, 3]`, mirroring the views whose entry in `flips` (`count × views`, sample-major)
 * is 1.
 */
export function decodeRecords(raw: Uint8Array, count: number, flips: Uint8Array, layout: DecodeLayout): Float32Array[] {
  const { height: h, width: w, views, lut } = layout;
  const plane = h * w * 3;
  const recordBytes = views * plane;
  const inputs = Array.from({ length: views }, () => new Float32Array(count * plane));
  const l0 = lut.subarray(0, 256), l1 = lut.subarray(256, 512), l2 = lut.subarray(512, 768);
  const row = w * 3;
  for (let i = 0; i < count; i++) {
    for (let v = 0; v < views; v++) {
      const src = i * recordBytes + v * plane;
      const dst = inputs[v]!;
      const base = i * plane;
      if (flips[i * views + v] !== 1) {
        for (let k = 0; k < plane; k += 3) {
          dst[base + k] = l0[raw[src + k]!]!;
          dst[base + k + 1] = l1[raw[src + k + 1]!]!;
          dst[base + k + 2] = l2[raw[src + k + 2]!]!;
        }
        continue;
      }
      for (let y = 0; y < h; y++) {
        const d0 = base + y * row;
        let s = src + y * row + row - 3;
        for (let d = d0; d < d0 + row; d += 3, s -= 3) {
          dst[d] = l0[raw[s]!]!;
          dst[d + 1] = l1[raw[s + 1]!]!;
          dst[d + 2] = l2[raw[s + 2]!]!;
        }
      }
    }
  }
  return inputs;
}

/** The lookup table of {@link DecodeLayout.lut}: ImageNet mean/std normalisation, or plain [0, 1] scaling. */
export function makeLut(normalize: boolean): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let b = 0; b < 256; b++) lut[c * 256 + b] = normalize ? (b / 255 - mean[c]!) / std[c]! : b / 255;
  return lut;
}
