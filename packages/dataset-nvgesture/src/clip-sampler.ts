import type { Rng } from '@ungreedy/core';
import type { CacheGeometry } from './clip-cache.js';

/** Where one sample's clip is cut from its cached frames. */
export interface ClipWindow {
  /** Cached-frame index of each of the T output frames. */
  readonly frames: readonly number[];
  readonly x0: number;
  readonly y0: number;
}

/** What the sampler cuts: T frames `stride` apart, a crop of width × height. */
export interface ClipShape {
  readonly frames: number;
  readonly stride: number;
  readonly cropWidth: number;
  readonly cropHeight: number;
}

/**
 * Chooses the temporal window and the crop of one sample. With `rng` (training) the window starts at a
 * random cached frame and the crop at a random offset; without it (evaluation) both are centred. When the
 * cache holds fewer frames than the window spans, the T frames are spread evenly over the clip instead
 * (no temporal jitter is then possible). The same window and crop serve every modality of the sample,
 * so RGB and depth stay aligned.
 */
export function sampleWindow(g: CacheGeometry, s: ClipShape, rng: Rng | undefined): ClipWindow {
  const span = (s.frames - 1) * s.stride + 1;
  let frames: number[];
  if (span <= g.frames) {
    const slack = g.frames - span;
    const start = rng ? rng.int(slack + 1) : Math.floor(slack / 2);
    frames = Array.from({ length: s.frames }, (_, t) => start + t * s.stride);
  } else {
    frames = Array.from({ length: s.frames }, (_, t) => Math.min(g.frames - 1, Math.floor(((t + 0.5) * g.frames) / s.frames)));
  }
  const sx = g.width - s.cropWidth;
  const sy = g.height - s.cropHeight;
  const x0 = rng ? rng.int(sx + 1) : Math.floor(sx / 2);
  const y0 = rng ? rng.int(sy + 1) : Math.floor(sy / 2);
  return { frames, x0, y0 };
}

/**
 * Copies one sample's window out of a cached clip ([F, H, W, C] uint8) into `out` at `offset` as
 * [T, cropH, cropW, C] float32, normalised per channel: (v / 255 − mean[c]) / std[c].
 */
export function cutClip(
  clip: Uint8Array,
  g: CacheGeometry,
  channels: number,
  s: ClipShape,
  w: ClipWindow,
  norm: { readonly mean: readonly number[]; readonly std: readonly number[] },
  out: Float32Array,
  offset: number,
): void {
  const a = Float32Array.from({ length: channels }, (_, c) => 1 / (255 * norm.std[c]!));
  const b = Float32Array.from({ length: channels }, (_, c) => -norm.mean[c]! / norm.std[c]!);
  const row = s.cropWidth * channels;
  let o = offset;
  // Specialised loops: this is the loader's hot path (a 64-frame 224×224 RGB sample is 9.6 M values).
  for (const f of w.frames) {
    for (let y = 0; y < s.cropHeight; y++) {
      const i0 = ((f * g.height + w.y0 + y) * g.width + w.x0) * channels;
      const src = clip.subarray(i0, i0 + row);
      if (channels === 3) {
        const [a0, a1, a2, b0, b1, b2] = [a[0]!, a[1]!, a[2]!, b[0]!, b[1]!, b[2]!];
        for (let i = 0; i < row; i += 3) {
          out[o + i] = src[i]! * a0 + b0;
          out[o + i + 1] = src[i + 1]! * a1 + b1;
          out[o + i + 2] = src[i + 2]! * a2 + b2;
        }
      } else if (channels === 1) {
        const [a0, b0] = [a[0]!, b[0]!];
        for (let i = 0; i < row; i++) out[o + i] = src[i]! * a0 + b0;
      } else {
        for (let i = 0; i < row; i++) out[o + i] = src[i]! * a[i % channels]! + b[i % channels]!;
      }
      o += row;
    }
  }
}
