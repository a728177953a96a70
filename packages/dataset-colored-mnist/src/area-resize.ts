/** One output pixel's source taps along an axis: source indices and their weights (summing to 1). */
interface Taps {
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/**
 * Area (box) resampling of byte images to float images in [0, 1], like OpenCV's INTER_AREA or PIL's BOX
 * filter: each output pixel is the mean of the source area it covers, with fractional edge pixels weighted
 * by their overlap. 28 → 14 or 7 averages whole 2x2 or 4x4 blocks; 28 → 16 mixes partial pixels. Separable,
 * so the cost is a few taps per pixel. Size equal to the source is an exact copy (÷ 255).
 *
 * @example
 * const r = new AreaResizer(28, 28, 14);
 * const out = new Float32Array(14 * 14);
 * r.resize(digitBytes, 0, out, 0);
 */
export class AreaResizer {
  private readonly rowTaps: readonly Taps[];
  private readonly colTaps: readonly Taps[];
  private readonly tmp: Float64Array;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly size: number,
  ) {
    this.rowTaps = axisTaps(rows, size);
    this.colTaps = axisTaps(cols, size);
    this.tmp = new Float64Array(size * cols);
  }

  /** Resizes the image at `src[srcOffset ..]` ([rows, cols] bytes) into `out[outOffset ..]` ([size, size]). */
  resize(src: Uint8Array, srcOffset: number, out: Float32Array, outOffset: number): void {
    const { cols, size, tmp } = this;
    for (let i = 0; i < size; i++) {
      const { index, weight } = this.rowTaps[i]!;
      for (let c = 0; c < cols; c++) {
        let acc = 0;
        for (let t = 0; t < index.length; t++) acc += weight[t]! * src[srcOffset + index[t]! * cols + c]!;
        tmp[i * cols + c] = acc;
      }
    }
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const { index, weight } = this.colTaps[j]!;
        let acc = 0;
        for (let t = 0; t < index.length; t++) acc += weight[t]! * tmp[i * cols + index[t]!]!;
        out[outOffset + i * size + j] = acc / 255;
      }
    }
  }
}

function axisTaps(from: number, to: number): Taps[] {
  const scale = from / to;
  const taps: Taps[] = [];
  for (let i = 0; i < to; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    const index: number[] = [];
    const weight: number[] = [];
    for (let s = Math.floor(a); s < Math.min(from, Math.ceil(b)); s++) {
      const overlap = Math.min(s + 1, b) - Math.max(s, a);
      if (overlap > 1e-12) {
        index.push(s);
        weight.push(overlap / scale);
      }
    }
    taps.push({ index: Int32Array.from(index), weight: Float64Array.from(weight) });
  }
  return taps;
}
