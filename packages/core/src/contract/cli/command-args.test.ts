import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../errors/errors.js';
import type { CommandContext, CommandContribution } from '../plugin/manifest.js';
import { commandHelp, parseCommandArgs, runCommand } from './command-args.js';

const OPTIONS = {
  out: { type: 'string', required: true, placeholder: 'dir', description: 'where it goes' },
  size: { type: 'integer', min: 1, default: 32, description: 'image side' },
  noise: { type: 'number', min: 0, description: 'noise std' },
  codec: { type: 'string', choices: ['mjpeg', 'ffv1'], default: 'mjpeg', description: 'the codec' },
  duo: { type: 'boolean', description: 'a second sensor' },
} as const;

const command: CommandContribution<typeof OPTIONS> = {
  meta: {
    docs: { description: 'Makes x.', usage: 'ungreedy datasets make x <root> --out <dir>', help: 'More words.' },
    options: OPTIONS,
    positionals: [{ name: 'root', description: 'the raw data', required: true }],
  },
  async run(ctx) {
    // Typed from the declaration: out is a string, size a number, codec one of its choices, duo a boolean.
    const o: { out: string; size: number; noise: number | undefined; codec: 'mjpeg' | 'ffv1'; duo: boolean } = ctx.args.options;
    ctx.print(JSON.stringify({ ...o, root: ctx.args.positionals[0] }));
    return 0;
  },
};

/** Asserts that `fn` throws UNG_ERR_CLI_USAGE naming `argument`. */
function usage(fn: () => unknown, argument: string): void {
  assert.throws(fn, (e: unknown) => isUngreedyError(e, 'UNG_ERR_CLI_USAGE') && e.data['argument'] === argument);
}

test('parses options against the declaration: types, defaults, flags and positionals', () => {
  assert.deepEqual(parseCommandArgs('make x', command.meta, ['r', '--out', 'o', '--noise', '0.5', '--duo', '--codec', 'ffv1']), {
    options: { out: 'o', size: 32, noise: 0.5, codec: 'ffv1', duo: true },
    positionals: ['r'],
  });
  assert.deepEqual(parseCommandArgs('make x', command.meta, ['r', '--out=o', '--size', '8']).options, {
    out: 'o', size: 8, noise: undefined, codec: 'mjpeg', duo: false,
  });
});

test('bad command lines are UNG_ERR_CLI_USAGE naming the argument', () => {
  const parse = (...args: string[]) => () => parseCommandArgs('make x', command.meta, args);
  usage(parse('r'), 'out');
  usage(parse('--out', 'o'), '<root>');
  usage(parse('r', '--out', 'o', '--size', '0'), 'size');
  usage(parse('r', '--out', 'o', '--size', '2.5'), 'size');
  usage(parse('r', '--out', 'o', '--noise', 'loud'), 'noise');
  usage(parse('r', '--out', 'o', '--codec', 'h264'), 'codec');
  assert.throws(parse('r', '--out', 'o', '--bogus'), (e: unknown) => isUngreedyError(e, 'UNG_ERR_CLI_USAGE'));
  usage(parse('r', 's', '--out', 'o'), 's');
});

test('--help is printed from the declaration and does not run the command', async () => {
  const lines: string[] = [];
  const ctx: Omit<CommandContext, 'args'> = { log: undefined as never, cwd: '.', print: (l) => lines.push(l) };
  assert.equal(await runCommand(command as CommandContribution, 'datasets make x', ['--help'], ctx), 0);
  assert.deepEqual(lines, commandHelp(command.meta as CommandContribution['meta']));
  assert.equal(lines[0], 'Usage: ungreedy datasets make x <root> --out <dir>');
  const text = lines.join('\n');
  for (const part of ['<root>', '--out <dir>', 'where it goes (required)', '--size <integer>', 'at least 1; default 32', '--codec <mjpeg|ffv1>', '--duo ', 'More words.']) {
    assert.ok(text.includes(part), `help should include "${part}":\n${text}`);
  }
  lines.length = 0;
  assert.equal(await runCommand(command as CommandContribution, 'datasets make x', ['r', '--out', 'o'], ctx), 0);
  assert.deepEqual(JSON.parse(lines[0]!), { out: 'o', size: 32, codec: 'mjpeg', duo: false, root: 'r' });
});
