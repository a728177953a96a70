import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, UngreedyError, writeFileAtomicAsync, type Logger } from '@ungreedy/core';
import { formatOff } from './off-mesh.js';
import { buildShape, SHAPES } from './procedural-meshes.js';
import type { RgbImage } from './image-io.js';
import { meshFile } from './layout.js';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';

/** Options of {@link makeModelNet40Mini}; every field but `out` has the default shown. */
export interface MakeMiniOptions {
  /** Output folder; the meshes go to `<out>/off`, the renders to `<out>/mvcnn`. */
  readonly out: string;
  /** Number of shape classes (first N of the generator's list), 2..12. Default 10. */
  readonly classes?: number;
  /** Objects per class in the train folder. Default 16. */
  readonly perClassTrain?: number;
  /** Objects per class in the test folder. Default 4. */
  readonly perClassTest?: number;
  /** Render size in pixels. Default 32. */
  readonly size?: number;
  /** Seed of every draw (proportions, turns, degradations). Default 0. */
  readonly seed?: number;
  /** 0-based views to render. Default all 12. */
  readonly views?: readonly number[];
  /** 0-based view made harder by the three options below (6 = v007, the paper's "rear"). Default none. */
  readonly hardView?: number | null;
  /** Std of Gaussian pixel noise on the hard view, in units of the full intensity range. Default 0. */
  readonly noise?: number;
  /** Probability that the hard view gets a grey occluding rectangle (35-55 % of the side). Default 0. */
  readonly occlusion?: number;
  /** Contrast of the hard view: 1 unchanged, 0 a blank (black) image. Default 1. */
  readonly contrast?: number;
  readonly log?: Logger;
  readonly progressStream?: NodeJS.WriteStream;
}

/** Where {@link makeModelNet40Mini} wrote the set. */
export interface MakeMiniResult {
  readonly offRoot: string;
  readonly mvcnnRoot: string;
  readonly classNames: readonly string[];
  readonly counts: { readonly train: number; readonly test: number };
}

/**
 * Generates a small ModelNet40-like set: procedural meshes of up to 12 shape classes, each object with its
 * own proportions and turn about the up axis, written as OFF in the ModelNet layout
 * (`<out>/off/<class>/<train|test>/<class>_<NNNN>.off`, test numbers continuing after train as in the real
 * set) and rendered into the MVCNN layout (`<out>/mvcnn/...obj.shaded_v<VVV>.png`). Deterministic for a
 * seed: each object draws from its own stream, so changing a count never changes the other objects.
 *
 * The hard-view options degrade only the PNGs of that view, which makes one modality noisier than the
 * other (a controllable imbalance); the OFF meshes stay clean.
 *
 * @example
 * const { mvcnnRoot } = await makeModelNet40Mini({ out: 'data/mn-mini', size: 32, hardView: 6, noise: 0.2 });
 */
export async function makeModelNet40Mini(options: MakeMiniOptions): Promise<MakeMiniResult> {
  const nClasses = options.classes ?? 10;
  const perTrain = options.perClassTrain ?? 16;
  const perTest = options.perClassTest ?? 4;
  const size = options.size ?? 32;
  const seed = options.seed ?? 0;
  const check = (ok: boolean, field: string, expectation: string, value: unknown): void => {
    if (!ok) {
      throw new UngreedyError(
        'UNG_ERR_CLI_USAGE',
        `modelnet40-mini option ${field} should be ${expectation}, but got ${JSON.stringify(value)}.`,
        { field, value },
      );
    }
  };
  check(Number.isInteger(nClasses) && nClasses >= 2 && nClasses <= SHAPES.length, 'classes', `an integer in 2..${SHAPES.length}`, nClasses);
  check(Number.isInteger(perTrain) && perTrain >= 1, 'perClassTrain', 'a positive integer', perTrain);
  check(Number.isInteger(perTest) && perTest >= 1, 'perClassTest', 'a positive integer', perTest);
  check(Number.isInteger(size) && size >= 8 && size <= 1024, 'size', 'an integer in 8..1024', size);
  const noise = options.noise ?? 0;
  const occlusion = options.occlusion ?? 0;
  const contrast = options.contrast ?? 1;
  check(noise >= 0, 'noise', '>= 0', noise);
  check(occlusion >= 0 && occlusion <= 1, 'occlusion', 'in [0, 1]', occlusion);
  check(contrast >= 0 && contrast <= 1, 'contrast', 'in [0, 1]', contrast);
  const hardView = options.hardView ?? null;
  check(hardView === null || (Number.isInteger(hardView) && hardView >= 0 && hardView < 12), 'hardView', 'an integer in 0..11', hardView);

  const offRoot = join(options.out, 'off');
  const mvcnnRoot = join(options.out, 'mvcnn');
  const classNames = SHAPES.slice(0, nClasses).map(([name]) => name).sort();
  for (const className of classNames) {
    for (let n = 1; n <= perTrain + perTest; n++) {
      const split = n <= perTrain ? 'train' : 'test';
      const stem = `${className}_${String(n).padStart(4, '0')}`;
      const mesh = buildShape(className, Rng.fromSeed(seed, `modelnet40-mini/${stem}`));
      const file = meshFile(offRoot, { className, split, stem });
      await mkdir(join(offRoot, className, split), { recursive: true });
      // Generated files can be generated again: atomic (no torn file), but not fsynced.
      await writeFileAtomicAsync(file, formatOff(mesh), { fsync: false });
    }
  }
  const degrade = hardView !== null && (noise > 0 || occlusion > 0 || contrast < 1);
  await prepareModelNet40FromOff({
    from: offRoot,
    out: mvcnnRoot,
    size,
    ...(options.views ? { views: options.views } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.progressStream ? { progressStream: options.progressStream } : {}),
    ...(degrade
      ? {
          postprocess: (image: RgbImage, obj: { stem: string }, view: number) =>
            view === hardView ? degradeImage(image, Rng.fromSeed(seed, `modelnet40-mini/degrade/${obj.stem}`), { noise, occlusion, contrast }) : image,
        }
      : {}),
  });
  return {
    offRoot,
    mvcnnRoot,
    classNames,
    counts: { train: nClasses * perTrain, test: nClasses * perTest },
  };
}

/** Lowers contrast towards the black background, pastes an occluder with probability `occlusion`, adds noise. */
export function degradeImage(
  image: RgbImage,
  rng: Rng,
  opts: { readonly noise: number; readonly occlusion: number; readonly contrast: number },
): RgbImage {
  const { width, height } = image;
  const f = new Float32Array(image.data.length);
  for (let i = 0; i < f.length; i++) f[i] = opts.contrast * image.data[i]!;
  if (rng.next() < opts.occlusion) {
    const w = Math.round(width * rng.uniform(0.35, 0.55)), h = Math.round(height * rng.uniform(0.35, 0.55));
    const x0 = rng.int(width - w + 1), y0 = rng.int(height - h + 1);
    const grey = rng.uniform(60, 200);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) f[(y * width + x) * 3 + c] = grey;
  }
  const out = new Uint8Array(f.length);
  for (let p = 0; p < width * height; p++) {
    // One noise value per pixel keeps the image grey, like the renders.
    const d = opts.noise > 0 ? rng.normal(0, opts.noise * 255) : 0;
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.min(255, Math.max(0, Math.round(f[p * 3 + c]! + d)));
  }
  return { width, height, data: out };
}
