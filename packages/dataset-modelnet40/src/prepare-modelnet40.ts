import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isUngreedyError, sweepStaleAtomicTemps, writeFileAtomicAsync, type Logger } from '@ungreedy/core';
import { parseOff, type TriMesh } from './off-mesh.js';
import { renderViews } from './render-mesh.js';
import { encodePng, type RgbImage } from './image-io.js';
import { meshFile, renderFile, scanLayout, SOURCE_SPLITS, type ClassMode, type SourceObject } from './layout.js';
import { Progress } from './progress.js';
import { RenderPool } from './render-pool.js';

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
  /**
   * Worker threads rendering in parallel (1: render on the calling thread). Not combined with `postprocess`,
   * which cannot cross threads; the generator renders on the calling thread.
   */
  readonly jobs?: number;
  readonly log?: Logger;
  /** Where to draw the progress bar (only if it is a terminal). */
  readonly progressStream?: NodeJS.WriteStream;
  /**
   * Stops before the next object once aborted: the images in flight are written whole, then the call
   * rejects with `signal.reason` (a rerun renders only what is missing).
   */
  readonly signal?: AbortSignal;
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
  const pool = (options.jobs ?? 1) > 1 && !options.postprocess ? new RenderPool(options.jobs!) : undefined;
  const inFlight = new Set<Promise<void>>();
  // PNGs half-written by a killed prepare or first load (`*.png.tmp-<pid>-<n>`) of dead writers go first.
  let swept = 0;
  for (const className of listing.classNames) for (const split of SOURCE_SPLITS) swept += await sweepStaleAtomicTemps(join(options.out, className, split));
  if (swept > 0) options.log?.info({ out: options.out, removed: swept }, 'removed partial renders of an interrupted prepare');
  try {
    for (const obj of objects) {
      options.signal?.throwIfAborted();
      const missing: number[] = [];
      for (const v of views) {
        if (await exists(renderFile(options.out, obj, v))) existing++;
        else missing.push(v);
      }
      if (missing.length === 0) {
        progress.update();
        continue;
      }
      const targets = missing.map((view) => ({ view, file: renderFile(options.out, obj, view) }));
      const dir = dirname(targets[0]!.file);
      if (!madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        madeDirs.add(dir);
      }
      const task: RenderTask = {
        offFile: meshFile(options.from, obj),
        targets,
        size: options.size,
        upAxis: options.upAxis ?? 'z',
        supersample: options.supersample ?? 2,
      };
      const job = (pool ? pool.run(task) : renderObject(task, options.postprocess && ((img, v) => options.postprocess!(img, obj, v)))).then(
        (n) => {
          rendered += n;
          progress.update();
        },
        (err: unknown) => {
          if (options.onBadSample === 'skip' && isUngreedyError(err, 'UNG_ERR_DATASET_CORRUPT')) {
            bad.push({ file: task.offFile, code: err.code, reason: String(err.data['reason']), object: obj });
            options.log?.warn({ file: task.offFile, reason: err.data['reason'] }, 'skipped a malformed OFF file');
            progress.update();
            return;
          }
          throw err;
        },
      );
      if (!pool) {
        await job;
        continue;
      }
      // Keep every worker busy, with one task queued each, and stop at the first failure.
      const tracked: Promise<void> = job.finally(() => inFlight.delete(tracked));
      tracked.catch(() => undefined); // raced or awaited below; after a failure the rest must not go unhandled
      inFlight.add(tracked);
      if (inFlight.size >= 2 * pool.size) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    options.signal?.throwIfAborted();
  } catch (err) {
    // Stopped: let the renders in flight finish their atomic writes before the workers go.
    if (options.signal?.aborted) await Promise.allSettled(inFlight);
    throw err;
  } finally {
    await pool?.close();
  }
  // Workers finish in any order; report bad meshes in listing order.
  bad.sort((a, b) => objects.indexOf(a.object) - objects.indexOf(b.object));
  progress.finish();
  options.log?.info({ objects: objects.length, rendered, existing, bad: bad.length }, 'modelnet40 renders prepared');
  return { objects: objects.length, rendered, existing, bad };
}

/** One object's missing views: what a worker (or the main thread) renders and writes. */
export interface RenderTask {
  readonly offFile: string;
  readonly targets: ReadonlyArray<{ readonly view: number; readonly file: string }>;
  readonly size: number;
  readonly upAxis: 'y' | 'z';
  readonly supersample: number;
}

/** Parses the mesh, renders the task's views and writes each PNG atomically; resolves with the images written. */
export async function renderObject(task: RenderTask, postprocess?: (image: RgbImage, view: number) => RgbImage): Promise<number> {
  const mesh: TriMesh = parseOff(await readFile(task.offFile, 'latin1'), task.offFile);
  const images = renderViews(mesh, {
    size: task.size,
    views: task.targets.map((t) => t.view),
    upAxis: task.upAxis,
    supersample: task.supersample,
  });
  for (const [k, { view, file }] of task.targets.entries()) {
    let image: RgbImage = { width: task.size, height: task.size, data: images[k]! };
    if (postprocess) image = postprocess(image, view);
    // Atomic but not fsynced, for speed: a resumed prepare renders again whatever is missing.
    await writeFileAtomicAsync(file, encodePng(image), { fsync: false });
  }
  return task.targets.length;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
