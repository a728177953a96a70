import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UngreedyError, type CommandContext, type CommandContribution } from '@ungreedy/core';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { makeModelNet40Mini } from './make-modelnet40-mini.js';

function parse(args: readonly string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'], usage: string) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as Record<string, unknown>;
  } catch (err) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `${(err as Error).message}. Usage: ${usage}`, { args: [...args] }, { cause: err });
  }
}

function num(values: Record<string, unknown>, name: string, fallback: number | undefined, usage: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `option --${name} should be a number, but got "${String(raw)}". Usage: ${usage}`, { option: name, value: raw });
  }
  return n;
}

function required(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `option --${name} should be given, but got nothing. Usage: ${usage}`, { option: name });
  }
  return v;
}

function views(values: Record<string, unknown>, usage: string): number[] | undefined {
  const raw = values['views'];
  if (raw === undefined) return undefined;
  const list = String(raw).split(',').map(Number);
  if (list.some((v) => !Number.isInteger(v) || v < 0 || v > 11)) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `option --views should be 0-based view numbers 0..11 separated by commas, but got "${String(raw)}". Usage: ${usage}`, {
      option: 'views',
      value: raw,
    });
  }
  return list;
}

function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

function help(ctx: CommandContext, usage: string, text: string): number {
  ctx.print(`Usage: ${usage}`);
  ctx.print(text);
  return 0;
}

const PREPARE_HELP = `
Renders every <class>/<train|test>/<class>_<NNNN>.off under --from-off into MVCNN-style shaded views
(12 cameras 30° apart around the up axis, elevated 30°) at <out>/<class>/<split>/<stem>.obj.shaded_v<VVV>.png.
Resumable: images that exist are kept; each image is written whole (temp file + rename).
  --size N        image side in pixels (default 224, as the MVCNN renders)
  --views a,b     0-based views to render (default all 12; the paper uses 0,6)
  --on-bad skip   skip malformed OFF files (listed at the end) instead of stopping
  --up-axis y     the meshes' up axis (ModelNet40: z, the default)
  --jobs N        worker threads rendering in parallel (default: one per CPU core)`;

const PREPARE_USAGE = 'ungreedy prepare modelnet40 --from-off <dir> --out <dir> [--size 224] [--views 0,1,...] [--on-bad error|skip] [--up-axis z|y] [--jobs N]';

/** `ungreedy prepare modelnet40`: renders OFF meshes into the MVCNN 12-view layout (resumable). */
export const prepareCommand: CommandContribution = {
  meta: { docs: { description: 'Render ModelNet40 OFF meshes into the MVCNN 12-view layout (resumable).', usage: PREPARE_USAGE } },
  async run(args, ctx) {
    if (wantsHelp(args)) return help(ctx, PREPARE_USAGE, PREPARE_HELP);
    const values = parse(
      args,
      {
        'from-off': { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string' },
        views: { type: 'string' },
        'on-bad': { type: 'string' },
        'up-axis': { type: 'string' },
        jobs: { type: 'string' },
      },
      PREPARE_USAGE,
    );
    const onBad = (values['on-bad'] ?? 'error') as string;
    const upAxis = (values['up-axis'] ?? 'z') as string;
    if ((onBad !== 'error' && onBad !== 'skip') || (upAxis !== 'z' && upAxis !== 'y')) {
      throw new UngreedyError('UNG_ERR_CLI_USAGE', `options --on-bad should be error|skip and --up-axis z|y, but got "${onBad}" and "${upAxis}". Usage: ${PREPARE_USAGE}`, {
        option: 'on-bad',
      });
    }
    const chosen = views(values, PREPARE_USAGE);
    const result = await prepareModelNet40FromOff({
      from: resolve(ctx.cwd, required(values, 'from-off', PREPARE_USAGE)),
      out: resolve(ctx.cwd, required(values, 'out', PREPARE_USAGE)),
      size: num(values, 'size', 224, PREPARE_USAGE)!,
      ...(chosen ? { views: chosen } : {}),
      onBadSample: onBad,
      upAxis,
      jobs: num(values, 'jobs', availableParallelism(), PREPARE_USAGE)!,
      log: ctx.log,
      progressStream: process.stderr,
    });
    ctx.print(`rendered ${result.rendered} images of ${result.objects} objects (${result.existing} already there, ${result.bad.length} bad meshes skipped)`);
    for (const b of result.bad) ctx.print(`  skipped ${b.file}: ${b.reason}`);
    return 0;
  },
};

const MAKE_USAGE =
  'ungreedy datasets make modelnet40-mini --out <dir> [--classes 10] [--per-class-train 16] [--per-class-test 4] [--size 32] [--seed 0] [--views 0,1,...] [--hard-view 6 --noise 0.2 --occlusion 0.5 --contrast 0.5]';

const MAKE_HELP = `
Generates procedural meshes of up to 12 shape classes (named after ModelNet40 classes), each object with its
own proportions and turn about the up axis, as OFF files in <out>/off (the ModelNet40 layout), rendered into
<out>/mvcnn (the MVCNN layout). Deterministic for a --seed.
  --hard-view k   0-based view to make harder (6 = v007), with:
    --noise s       Gaussian pixel noise, std as a fraction of the intensity range
    --occlusion p   probability of a grey occluding rectangle
    --contrast c    contrast, 1 unchanged .. 0 blank`;

/** `ungreedy datasets make modelnet40-mini`: the small generated set, as OFF meshes and MVCNN renders. */
export const makeMiniCommand: CommandContribution = {
  meta: { docs: { description: 'Generate a small ModelNet40-like set (procedural meshes, OFF + MVCNN renders).', usage: MAKE_USAGE } },
  async run(args, ctx) {
    if (wantsHelp(args)) return help(ctx, MAKE_USAGE, MAKE_HELP);
    const values = parse(
      args,
      {
        out: { type: 'string' },
        classes: { type: 'string' },
        'per-class-train': { type: 'string' },
        'per-class-test': { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        views: { type: 'string' },
        'hard-view': { type: 'string' },
        noise: { type: 'string' },
        occlusion: { type: 'string' },
        contrast: { type: 'string' },
      },
      MAKE_USAGE,
    );
    const chosen = views(values, MAKE_USAGE);
    const result = await makeModelNet40Mini({
      out: resolve(ctx.cwd, required(values, 'out', MAKE_USAGE)),
      classes: num(values, 'classes', 10, MAKE_USAGE)!,
      perClassTrain: num(values, 'per-class-train', 16, MAKE_USAGE)!,
      perClassTest: num(values, 'per-class-test', 4, MAKE_USAGE)!,
      size: num(values, 'size', 32, MAKE_USAGE)!,
      seed: num(values, 'seed', 0, MAKE_USAGE)!,
      ...(chosen ? { views: chosen } : {}),
      hardView: num(values, 'hard-view', undefined, MAKE_USAGE) ?? null,
      noise: num(values, 'noise', 0, MAKE_USAGE)!,
      occlusion: num(values, 'occlusion', 0, MAKE_USAGE)!,
      contrast: num(values, 'contrast', 1, MAKE_USAGE)!,
      log: ctx.log,
      progressStream: process.stderr,
    });
    ctx.print(`meshes:  ${result.offRoot}`);
    ctx.print(`renders: ${result.mvcnnRoot}`);
    ctx.print(`classes: ${result.classNames.join(', ')} (train ${result.counts.train}, test ${result.counts.test})`);
    return 0;
  },
};
