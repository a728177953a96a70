import { PNG } from 'pngjs';
import { UngreedyError } from '@ungreedy/core';

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Decodes a PNG of any colour type and bit depth (pngjs) to 8-bit RGB. Transparent pixels are composited
 * on black, the background of the MVCNN "new 12x" renders. A file pngjs cannot read is bad input:
 * `UNG_ERR_DATASET_CORRUPT` with `data: { file, reason }`, `reason` `png-truncated` (the file ends early, as a
 * killed copy leaves it), `png-signature` (not a PNG at all) or `png-decode` (anything else), and a message
 * in plain words; the decoder's own text is the `cause`.
 */
export function decodePng(bytes: Buffer, file: string): RgbImage {
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (err) {
    const { reason, words } = pngProblem(bytes, err);
    throw new UngreedyError(
      'UNG_ERR_DATASET_CORRUPT',
      `PNG file ${file} should be a whole PNG image, but ${words}. Fix: re-extract or re-render it, or set onBadSample: 'skip'.`,
      { file, reason },
      { cause: err },
    );
  }
  const { width, height, data } = png;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    const a = data[j + 3]!;
    if (a === 255) {
      rgb[i * 3] = data[j]!;
      rgb[i * 3 + 1] = data[j + 1]!;
      rgb[i * 3 + 2] = data[j + 2]!;
    } else {
      rgb[i * 3] = Math.round((data[j]! * a) / 255);
      rgb[i * 3 + 1] = Math.round((data[j + 1]! * a) / 255);
      rgb[i * 3 + 2] = Math.round((data[j + 2]! * a) / 255);
    }
  }
  return { width, height, data: rgb };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why pngjs refused a file, in words a user can act on. */
function pngProblem(bytes: Buffer, err: unknown): { reason: string; words: string } {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return { reason: 'png-signature', words: `it is not a PNG file (${bytes.length} bytes without the PNG signature)` };
  }
  // pngjs reports a file cut short as read requests left waiting on the finished stream, or as an unexpected end.
  const message = err instanceof Error ? err.message : String(err);
  if (!bytes.includes('IEND', bytes.length - 12 < 0 ? 0 : bytes.length - 12, 'latin1') || /waiting|waitng|unexpected end|end of/i.test(message)) {
    return { reason: 'png-truncated', words: `it is truncated (${bytes.length} bytes, cut before the end of its image data)` };
  }
  return { reason: 'png-decode', words: `its image data is damaged (${message})` };
}

/** Encodes 8-bit RGB as a PNG (colour type 2). */
export function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * Resizes to `size × size`: area averaging when shrinking (every source pixel weighs by its coverage,
 * like OpenCV's INTER_AREA) and bilinear interpolation (pixel centres aligned) when enlarging.
 */
export function resizeRgb(image: RgbImage, size: number): RgbImage {
  if (image.width === size && image.height === size) return image;
  const horizontal = resample1d(image.data, image.width, image.height, size, true);
  const data = resample1d(horizontal, size, image.height, size, false);
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(data[i]!)));
  return { width: size, height: size, data: out };
}

/** Resamples along x (`alongX`) or y, from `w × h` to `outLen` samples on that axis; float output. */
function resample1d(src: ArrayLike<number>, w: number, h: number, outLen: number, alongX: boolean): Float32Array {
  const inLen = alongX ? w : h;
  const outW = alongX ? outLen : w;
  const outH = alongX ? h : outLen;
  const dst = new Float32Array(outW * outH * 3);
  const taps = weights(inLen, outLen);
  for (let o = 0; o < outLen; o++) {
    for (const [i, wgt] of taps[o]!) {
      if (alongX) {
        for (let y = 0; y < h; y++) {
          const s = (y * w + i) * 3, d = (y * outW + o) * 3;
          dst[d] = dst[d]! + src[s]! * wgt;
          dst[d + 1] = dst[d + 1]! + src[s + 1]! * wgt;
          dst[d + 2] = dst[d + 2]! + src[s + 2]! * wgt;
        }
      } else {
        for (let x = 0; x < w; x++) {
          const s = (i * w + x) * 3, d = (o * w + x) * 3;
          dst[d] = dst[d]! + src[s]! * wgt;
          dst[d + 1] = dst[d + 1]! + src[s + 1]! * wgt;
          dst[d + 2] = dst[d + 2]! + src[s + 2]! * wgt;
        }
      }
    }
  }
  return dst;
}

function weights(inLen: number, outLen: number): Array<Array<[number, number]>> {
  const scale = inLen / outLen;
  const out: Array<Array<[number, number]>> = [];
  for (let o = 0; o < outLen; o++) {
    const taps: Array<[number, number]> = [];
    if (scale >= 1) {
      const lo = o * scale, hi = (o + 1) * scale;
      for (let i = Math.floor(lo); i < Math.min(inLen, Math.ceil(hi)); i++) {
        const cover = Math.min(hi, i + 1) - Math.max(lo, i);
        if (cover > 1e-9) taps.push([i, cover / scale]);
      }
    } else {
      const x = Math.min(inLen - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const i0 = Math.floor(x), i1 = Math.min(inLen - 1, i0 + 1), t = x - i0;
      taps.push([i0, 1 - t]);
      if (t > 0) taps.push([i1, t]);
    }
    out.push(taps);
  }
  return out;
}
