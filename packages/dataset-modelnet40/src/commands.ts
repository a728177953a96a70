import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  choiceOption,
  numberOption,
  parseCliArgs,
  requireOption,
  stringOptions,
  UngreedyError,
  wantsHelp,
  type CommandContext,
  type CommandContribution,
} from '@ungreedy/core';
import { prepareModelNet40FromOff } from './prepare-modelnet40.js';
import { makeModelNet40Mini } from './make-modelnet40-mini.js';

function views(command: string, raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map(Number);
  if (list.some((v) => !Number.isInteger(v) || v < 0 || v > 11)) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --views must be 0-based view numbers 0..11 separated by commas, but got "${raw}".`, {
      command,
      argument: 'views',
      value: raw,
    });
  }
  return list;
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
    const cmd = 'prepare modelnet40';
    const options = stringOptions('from-off', 'out', 'size', 'views', 'on-bad', 'up-axis', 'jobs');
    const { values } = parseCliArgs(cmd, args, options, 0);
    const chosen = views(cmd, values.views);
    const result = await prepareModelNet40FromOff({
      from: resolve(ctx.cwd, requireOption(cmd, 'from-off', values['from-off'])),
      out: resolve(ctx.cwd, requireOption(cmd, 'out', values.out)),
      size: numberOption(cmd, 'size', values.size) ?? 224,
      ...(chosen ? { views: chosen } : {}),
      onBadSample: choiceOption(cmd, 'on-bad', values['on-bad'], ['error', 'skip'] as const) ?? 'error',
      upAxis: choiceOption(cmd, 'up-axis', values['up-axis'], ['z', 'y'] as const) ?? 'z',
      jobs: numberOption(cmd, 'jobs', values.jobs) ?? availableParallelism(),
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
    const cmd = 'datasets make modelnet40-mini';
    const options = stringOptions('out', 'classes', 'per-class-train', 'per-class-test', 'size', 'seed', 'views', 'hard-view', 'noise', 'occlusion', 'contrast');
    const { values } = parseCliArgs(cmd, args, options, 0);
    // Plain numbers here: makeModelNet40Mini checks ranges and integers itself, naming the field.
    const num = (name: keyof typeof values, fallback: number): number => numberOption(cmd, name, values[name]) ?? fallback;
    const chosen = views(cmd, values.views);
    const result = await makeModelNet40Mini({
      out: resolve(ctx.cwd, requireOption(cmd, 'out', values.out)),
      classes: num('classes', 10),
      perClassTrain: num('per-class-train', 16),
      perClassTest: num('per-class-test', 4),
      size: num('size', 32),
      seed: num('seed', 0),
      ...(chosen ? { views: chosen } : {}),
      hardView: numberOption(cmd, 'hard-view', values['hard-view']) ?? null,
      noise: num('noise', 0),
      occlusion: num('occlusion', 0),
      contrast: num('contrast', 1),
      log: ctx.log,
      progressStream: process.stderr,
    });
    ctx.print(`meshes:  ${result.offRoot}`);
    ctx.print(`renders: ${result.mvcnnRoot}`);
    ctx.print(`classes: ${result.classNames.join(', ')} (train ${result.counts.train}, test ${result.counts.test})`);
    return 0;
  },
};
