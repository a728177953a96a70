import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UngreedyError, type CommandContribution } from '@ungreedy/core';
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

const VIEWS = { type: 'string', placeholder: 'a,b,...', description: '0-based views to render (default all 12; the paper uses 0,6)' } as const;

const PREPARE_OPTIONS = {
  'from-off': { type: 'string', required: true, placeholder: 'dir', description: 'the ModelNet40 OFF tree (<class>/<train|test>/<class>_<NNNN>.off)' },
  out: { type: 'string', required: true, placeholder: 'dir', description: 'where the MVCNN-layout images go' },
  size: { type: 'integer', min: 1, default: 224, description: 'image side in pixels (as the MVCNN renders)' },
  views: VIEWS,
  'on-bad': { type: 'string', choices: ['error', 'skip'], default: 'error', description: 'skip malformed OFF files (listed at the end) instead of stopping' },
  'up-axis': { type: 'string', choices: ['z', 'y'], default: 'z', description: "the meshes' up axis (ModelNet40: z)" },
  jobs: { type: 'integer', min: 1, description: 'worker threads rendering in parallel (default: one per CPU core)' },
} as const;

/** `ungreedy prepare modelnet40`: renders OFF meshes into the MVCNN 12-view layout (resumable). */
export const prepareCommand: CommandContribution<typeof PREPARE_OPTIONS> = {
  meta: {
    docs: {
      description: 'Render ModelNet40 OFF meshes into the MVCNN 12-view layout (resumable).',
      usage: 'ungreedy prepare modelnet40 --from-off <dir> --out <dir> [--size 224] [--views 0,1,...] [--on-bad error|skip] [--up-axis z|y] [--jobs N]',
      help: `Renders every <class>/<train|test>/<class>_<NNNN>.off under --from-off into MVCNN-style shaded views
(12 cameras 30° apart around the up axis, elevated 30°) at <out>/<class>/<split>/<stem>.obj.shaded_v<VVV>.png.
Resumable: images that exist are kept; each image is written whole (temp file + rename).`,
    },
    options: PREPARE_OPTIONS,
  },
  async run(ctx) {
    const o = ctx.args.options;
    const chosen = views('prepare modelnet40', o.views);
    const result = await prepareModelNet40FromOff({
      from: resolve(ctx.cwd, o['from-off']),
      out: resolve(ctx.cwd, o.out),
      size: o.size,
      ...(chosen ? { views: chosen } : {}),
      onBadSample: o['on-bad'],
      upAxis: o['up-axis'],
      jobs: o.jobs ?? availableParallelism(),
      log: ctx.log,
      progressStream: process.stderr,
    });
    ctx.print(`rendered ${result.rendered} images of ${result.objects} objects (${result.existing} already there, ${result.bad.length} bad meshes skipped)`);
    for (const b of result.bad) ctx.print(`  skipped ${b.file}: ${b.reason}`);
    return 0;
  },
};

// Plain numbers here: makeModelNet40Mini checks ranges and integers itself, naming the field.
const MAKE_OPTIONS = {
  out: { type: 'string', required: true, placeholder: 'dir', description: 'where the OFF meshes (<out>/off) and renders (<out>/mvcnn) go' },
  classes: { type: 'number', default: 10, description: 'how many shape classes (at most 12)' },
  'per-class-train': { type: 'number', default: 16, description: 'training objects per class' },
  'per-class-test': { type: 'number', default: 4, description: 'test objects per class' },
  size: { type: 'number', default: 32, description: 'image side in pixels' },
  seed: { type: 'number', default: 0, description: 'the generator seed (the output is deterministic for a seed)' },
  views: VIEWS,
  'hard-view': { type: 'number', description: '0-based view to make harder (6 = v007), with --noise, --occlusion, --contrast' },
  noise: { type: 'number', default: 0, description: "the hard view's Gaussian pixel noise, std as a fraction of the intensity range" },
  occlusion: { type: 'number', default: 0, description: "the hard view's probability of a grey occluding rectangle" },
  contrast: { type: 'number', default: 1, description: "the hard view's contrast, 1 unchanged .. 0 blank" },
} as const;

/** `ungreedy datasets make modelnet40-mini`: the small generated set, as OFF meshes and MVCNN renders. */
export const makeMiniCommand: CommandContribution<typeof MAKE_OPTIONS> = {
  meta: {
    docs: {
      description: 'Generate a small ModelNet40-like set (procedural meshes, OFF + MVCNN renders).',
      usage:
        'ungreedy datasets make modelnet40-mini --out <dir> [--classes 10] [--per-class-train 16] [--per-class-test 4] [--size 32] [--seed 0] [--views 0,1,...] [--hard-view 6 --noise 0.2 --occlusion 0.5 --contrast 0.5]',
      help: `Generates procedural meshes of up to 12 shape classes (named after ModelNet40 classes), each object with its
own proportions and turn about the up axis, as OFF files in <out>/off (the ModelNet40 layout), rendered into
<out>/mvcnn (the MVCNN layout). Deterministic for a --seed.`,
    },
    options: MAKE_OPTIONS,
  },
  async run(ctx) {
    const o = ctx.args.options;
    const chosen = views('datasets make modelnet40-mini', o.views);
    const result = await makeModelNet40Mini({
      out: resolve(ctx.cwd, o.out),
      classes: o.classes,
      perClassTrain: o['per-class-train'],
      perClassTest: o['per-class-test'],
      size: o.size,
      seed: o.seed,
      ...(chosen ? { views: chosen } : {}),
      hardView: o['hard-view'] ?? null,
      noise: o.noise,
      occlusion: o.occlusion,
      contrast: o.contrast,
      log: ctx.log,
      progressStream: process.stderr,
    });
    ctx.print(`meshes:  ${result.offRoot}`);
    ctx.print(`renders: ${result.mvcnnRoot}`);
    ctx.print(`classes: ${result.classNames.join(', ')} (train ${result.counts.train}, test ${result.counts.test})`);
    return 0;
  },
};
