import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isUngreedyError, type Logger } from '@ungreedy/core';
import { parseOff, type TriMesh } from './off-mesh.js';
import { renderViews } from './render-mesh.js';
import { encodePng, writeFileAtomic, type RgbImage } from './image-io.js';
import { meshFile, renderFile, scanLayout, SOURCE_SPLITS, type ClassMode, type SourceObject } from './layout.js';
import { Progress } from './progress.js';

/** Options of {@link prepareModelNet40FromOff}. */
export interface PrepareOptions {
  /** Root of the OFF meshes: `<from>/<class>/<train|test>/<class>_<NNNN>.off`. */
  readonly from: string;
  /** Root of the renders to write, in the MVCNN layout. */
  readonly out: string;
  /** Image side in pixels (MVCNN: 224). */
  readonly size: number;
  /** 0-based views to render; default all 12. */
  readonly views?: readonly number[];
  readonly classes?: ClassMode;
  readonly upAxis?: 'y' | 'z';
  readonly supersample?: number;
  /** `error` stops at the first malformed OFF file; `skip` renders nothing for it and lists it in `bad`. */
  readonly onBadSample?: 'error' | 'skip';
  /** Changes a finished image before it is written (the generator's harder view); must be deterministic. */
  readonly postprocess?: (image: RgbImage, obj: SourceObject, view: number) => RgbImage;
  readonly log?: Logger;
  /** Where to draw the progress bar (only if it is a terminal). */
  readonly progressStream?: NodeJS.WriteStream;
}

/** What a {@link prepareModelNet40FromOff} call did. */
export interface PrepareResult {
  readonly objects: number;
  readonly rendered: number;
  /** Images already present (a resumed run). */
  readonly existing: number;
  readonly bad: ReadonlyArray<{ file: string; code: string; reason: string; object: SourceObject }>;
}

/**
 * Renders a tree of ModelNet OFF meshes into the MVCNN layout
 * (`<out>/<class>/<split>/<stem>.obj.shaded_v<VVV>.png`), as `ungreedy prepare modelnet40` does.
 *
 * Resumable: an image that already exists is not rendered again, and each image is written to a temporary
 * file and renamed, so an interrupted run leaves only whole images behind.
 *
 * @example
 * await prepareModelNet40FromOff({ from: 'data/ModelNet40', out: 'data/modelnet40_images_new_12x', size: 224 });
 */
export async function prepareModelNet40FromOff(options: PrepareOptions): Promise<PrepareResult> {
  const views = options.views ?? Array.from({ length: 12 }, (_, i) => i);
  const listing = await scanLayout(options.from, 'off', options.classes ?? 'from-folders');
  const objects = SOURCE_SPLITS.flatMap((s) => listing.objects[s]);
  const progress = new Progress('render', objects.length, { stream: options.progressStream, log: options.log });
  let rendered = 0;
  let existing = 0;
  const bad: Array<PrepareResult['bad'][number]> = [];
  const madeDirs = new Set<string>();
  for (const obj of objects) {
    const missing: number[] = [];
    for (const v of views) {
      if (await exists(renderFile(options.out, obj, v))) existing++;
      else missing.push(v);
    }
    if (missing.length > 0) {
      const file = meshFile(options.from, obj);
      let mesh: TriMesh;
      try {
        mesh = parseOff(await readFile(file, 'latin1'), file);
      } catch (err) {
        if (options.onBadSample === 'skip' && isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT')) {
          bad.push({ file, code: err.code, reason: String(err.data['reason']), object: obj });
          options.log?.warn({ file, reason: err.data['reason'] }, 'skipped a malformed OFF file');
          progress.update();
          continue;
        }
        throw err;
      }
      const images = renderViews(mesh, {
        size: options.size,
        views: missing,
        upAxis: options.upAxis ?? 'z',
        supersample: options.supersample ?? 2,
      });
      for (const [k, v] of missing.entries()) {
        const target = renderFile(options.out, obj, v);
        const dir = dirname(target);
        if (!madeDirs.has(dir)) {
          await mkdir(dir, { recursive: true });
          madeDirs.add(dir);
        }
        let image: RgbImage = { width: options.size, height: options.size, data: images[k]! };
        if (options.postprocess) image = options.postprocess(image, obj, v);
        await writeFileAtomic(target, encodePng(image));
        rendered++;
      }
    }
    progress.update();
  }
  progress.finish();
  options.log?.info({ objects: objects.length, rendered, existing, bad: bad.length }, 'modelnet40 renders prepared');
  return { objects: objects.length, rendered, existing, bad };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
