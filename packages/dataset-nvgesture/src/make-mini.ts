import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, UngreedyError } from '@ungreedy/core';
import { encodeVideo } from './ffmpeg.js';
import { formatListLine, LIST_NAMES } from './list-file.js';
import type { ListEntry, Sensor } from './list-file.js';

/** Options of {@link makeNvGestureMini}; `ungreedy datasets make nvgesture-mini` maps its flags onto them. */
export interface MiniOptions {
  /** Output folder: receives the .lst files and Video_data/. */
  readonly out: string;
  /** Number of classes, 1..25; class c uses trajectory c of {@link TRAJECTORIES}. */
  readonly classes: number;
  readonly perClassTrain: number;
  readonly perClassTest: number;
  readonly width: number;
  readonly height: number;
  /** Frames of the gesture segment (the list's range); idle frames are added around it. */
  readonly frames: number;
  /** Most idle frames before and after the gesture (each drawn in 0..pad), so ranges do not start at 0. */
  readonly pad: number;
  /** Which modality gets `noise` instead of `baseNoise`. */
  readonly noisy: 'rgb' | 'depth' | null;
  /** Pixel noise σ (fraction of full scale) of the noisy modality. */
  readonly noise: number;
  /** Pixel noise σ of the other modalities. */
  readonly baseNoise: number;
  /** Also write `duo_left.avi` (an infrared-like view) and its list tokens. */
  readonly duo: boolean;
  readonly codec: 'mjpeg' | 'ffv1';
  /** `v2` writes the corrected lists' names, `v1` the older ones. */
  readonly listVariant: 'v2' | 'v1';
  readonly seed: number;
}

export const MINI_DEFAULTS: Omit<MiniOptions, 'out'> = {
  classes: 25,
  perClassTrain: 8,
  perClassTest: 4,
  width: 64,
  height: 48,
  frames: 24,
  pad: 4,
  noisy: null,
  noise: 0.3,
  baseNoise: 0.02,
  duo: false,
  codec: 'mjpeg',
  listVariant: 'v2',
  seed: 0,
};

/** Hand position at progress u ∈ [0, 1]: x, y in [-1, 1] around the start point, z ∈ [0, 1] nearness. */
type Trajectory = (u: number) => readonly [number, number, number];

const TAU = 2 * Math.PI;
const line = (dx: number, dy: number, speed = 1): Trajectory => (u) => {
  const p = Math.min(1, u * speed);
  return [dx * p, dy * p, 0.5];
};
const wave = (f: (p: number) => readonly [number, number, number]): Trajectory => f;

/**
 * The 25 gesture classes: directions at two speeds, circles, zig-zags, diagonals, pushes and pulls
 * (visible mostly in depth), shakes, a figure eight, a square and out-and-back moves. Classes 16, 17 and 24
 * differ mainly in depth, others mainly in the image plane, so both modalities carry information.
 */
export const TRAJECTORIES: readonly Trajectory[] = [
  line(-1, 0), line(1, 0), line(0, -1), line(0, 1),
  line(-1, 0, 2), line(1, 0, 2), line(0, -1, 2), line(0, 1, 2),
  wave((u) => [Math.sin(TAU * u) * 0.6, -Math.cos(TAU * u) * 0.6 + 0.6, 0.5]),
  wave((u) => [-Math.sin(TAU * u) * 0.6, -Math.cos(TAU * u) * 0.6 + 0.6, 0.5]),
  wave((u) => [2 * u - 1, 0.4 * Math.sin(3 * TAU * u), 0.5]),
  wave((u) => [0.4 * Math.sin(3 * TAU * u), 2 * u - 1, 0.5]),
  line(0.8, -0.8), line(-0.8, 0.8), line(-0.8, -0.8), line(0.8, 0.8),
  wave((u) => [0, 0, 0.15 + 0.8 * u]),
  wave((u) => [0, 0, 0.95 - 0.8 * u]),
  wave((u) => [0.6 * Math.sin(2 * TAU * u), 0, 0.5]),
  wave((u) => [0, 0.6 * Math.sin(2 * TAU * u), 0.5]),
  wave((u) => [0.6 * Math.sin(TAU * u), 0.4 * Math.sin(2 * TAU * u), 0.5]),
  wave((u) => {
    const s = (4 * u) % 1;
    const side = Math.min(3, Math.floor(4 * u));
    const corners = [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]] as const;
    const [a, b] = [corners[side]!, corners[side + 1]!];
    return [a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s, 0.5];
  }),
  wave((u) => [-Math.sin(Math.PI * u), 0, 0.5]),
  wave((u) => [0, -Math.sin(Math.PI * u), 0.5]),
  wave((u) => [0, 0, 0.5 + 0.4 * Math.sin(2 * TAU * u)]),
];

interface Look {
  readonly cx: number;
  readonly cy: number;
  readonly amp: number;
  readonly radius: number;
  readonly skin: readonly [number, number, number];
  readonly background: readonly [number, number, number];
  readonly depthBackground: number;
}

function drawLook(rng: Rng): Look {
  const tone = rng.uniform(0.55, 0.95);
  return {
    cx: rng.uniform(-0.1, 0.1),
    cy: rng.uniform(-0.1, 0.1),
    amp: rng.uniform(0.8, 1.15),
    radius: rng.uniform(0.1, 0.14),
    skin: [255 * tone, 200 * tone, 160 * tone],
    background: [rng.uniform(20, 90), rng.uniform(20, 90), rng.uniform(20, 90)],
    depthBackground: rng.uniform(10, 40),
  };
}

/**
 * Renders one sample's videos: rgb, depth (nearer = brighter, same blob) and an infrared-like view, each
 * as rgb24 frames. The blob grows as it comes nearer, in every view, as a real hand does.
 */
function renderSample(
  trajectory: Trajectory,
  look: Look,
  o: Omit<MiniOptions, 'out'>,
  pre: number,
  post: number,
  rng: Rng,
): Record<Sensor, Uint8Array> {
  const { width: w, height: h, frames } = o;
  const n = pre + frames + post;
  const plane = w * h;
  const rgb = new Uint8Array(n * plane * 3);
  const depth = new Uint8Array(n * plane * 3);
  const ir = new Uint8Array(n * plane * 3);
  const sigma = (m: 'rgb' | 'depth'): number => 255 * (o.noisy === m ? o.noise : o.baseNoise);
  const scale = Math.min(w, h);
  for (let f = 0; f < n; f++) {
    const u = Math.min(1, Math.max(0, (f - pre) / Math.max(1, frames - 1)));
    const [tx, ty, tz] = trajectory(u);
    const px = w / 2 + (look.cx + 0.35 * look.amp * tx) * scale;
    const py = h / 2 + (look.cy + 0.35 * look.amp * ty) * scale;
    const r = look.radius * scale * (0.7 + 0.6 * tz);
    const near = 90 + 160 * tz;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // A hand-like blob: an upright ellipse with a soft rim.
        const dx = (x + 0.5 - px) / r;
        const dy = (y + 0.5 - py) / (1.3 * r);
        const a = Math.min(1, Math.max(0, (1.15 - Math.sqrt(dx * dx + dy * dy)) / 0.3));
        const i = (f * plane + y * w + x) * 3;
        for (let c = 0; c < 3; c++) {
          rgb[i + c] = clamp(look.background[c]! * (1 - a) + look.skin[c]! * a + rng.normal(0, sigma('rgb')));
        }
        const d = clamp(look.depthBackground * (1 - a) + near * a + rng.normal(0, sigma('depth')));
        depth[i] = depth[i + 1] = depth[i + 2] = d;
        ir[i] = ir[i + 1] = ir[i + 2] = clamp(30 + 200 * a * (0.5 + 0.5 * tz) + rng.normal(0, 255 * o.baseNoise));
      }
    }
  }
  return { sk_color: rgb, sk_depth: depth, duo_left: ir };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export interface MiniResult {
  readonly out: string;
  readonly train: number;
  readonly test: number;
  readonly lists: { readonly train: string; readonly test: string };
}

/**
 * Generates a small NVGesture-like set in the official layout:
 * `Video_data/class_XX/subjectY_rZ/{sk_color,sk_depth[,duo_left]}.avi` and the two list files, whose ranges
 * mark the gesture inside videos padded with idle frames. Deterministic for a seed.
 *
 * @example
 * await makeNvGestureMini({ ...MINI_DEFAULTS, out: 'data/nvgesture-mini', classes: 5 });
 */
export async function makeNvGestureMini(options: MiniOptions): Promise<MiniResult> {
  const o = options;
  const bad = (field: string, expectation: string, got: unknown): UngreedyError =>
    new UngreedyError('UNG_ERR_CLI_USAGE', `nvgesture-mini option ${field} should be ${expectation}, but got ${String(got)}.`, {
      field,
      value: got,
    });
  if (!Number.isInteger(o.classes) || o.classes < 1 || o.classes > TRAJECTORIES.length) throw bad('classes', '1..25', o.classes);
  for (const k of ['perClassTrain', 'perClassTest', 'frames', 'width', 'height'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw bad(k, 'a positive integer', o[k]);
  }
  if (o.width % 2 || o.height % 2) throw bad('size', 'even width and height (video codecs need them)', `${o.width}x${o.height}`);
  const root = Rng.fromSeed(o.seed, 'nvgesture-mini');
  const lines: Record<'train' | 'test', string[]> = { train: [], test: [] };
  const jobs: Array<() => Promise<void>> = [];
  for (const split of ['train', 'test'] as const) {
    const per = split === 'train' ? o.perClassTrain : o.perClassTest;
    for (let c = 0; c < o.classes; c++) {
      for (let k = 0; k < per; k++) {
        // Train and test subjects differ, as in the official split by subject.
        const subject = (split === 'train' ? 1 : 101) + Math.floor(k / 2);
        const path = `Video_data/class_${String(c + 1).padStart(2, '0')}/subject${subject}_r${k % 2}`;
        const rng = root.fork(`${split}/${c}/${k}`);
        const pre = rng.int(o.pad + 1);
        const post = rng.int(o.pad + 1);
        const range = { start: pre, end: pre + o.frames };
        const sensors: ListEntry['sensors'] = {
          sk_depth: { file: 'sk_depth', ...range },
          sk_color: { file: 'sk_color', ...range },
          ...(o.duo ? { duo_left: { file: 'duo_left', ...range } } : {}),
        };
        lines[split].push(formatListLine({ path, label: c, sensors }));
        jobs.push(async () => {
          const videos = renderSample(TRAJECTORIES[c]!, drawLook(rng), o, pre, post, rng);
          await mkdir(join(o.out, path), { recursive: true });
          for (const sensor of o.duo ? (['sk_color', 'sk_depth', 'duo_left'] as const) : (['sk_color', 'sk_depth'] as const)) {
            await encodeVideo(join(o.out, path, `${sensor}.avi`), videos[sensor], {
              width: o.width,
              height: o.height,
              fps: 30,
              codec: o.codec,
            });
          }
        });
      }
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  // Lists last: an interrupted generation leaves no list pointing at missing videos.
  const names = LIST_NAMES[o.listVariant];
  const files = { train: join(o.out, names.train), test: join(o.out, names.test) };
  await writeFile(files.train, `${lines.train.join('\n')}\n`);
  await writeFile(files.test, `${lines.test.join('\n')}\n`);
  return { out: o.out, train: lines.train.length, test: lines.test.length, lists: files };
}
