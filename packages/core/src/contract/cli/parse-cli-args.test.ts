import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUngreedyError } from '../errors/errors.js';
import { choiceOption, integerOption, numberOption, parseCliArgs, requireOption, requirePositional, wantsHelp } from './parse-cli-args.js';

/** Asserts that `fn` throws UNG_ERR_CLI_USAGE with exactly `data`. */
function assertUsage(fn: () => unknown, data: Record<string, unknown>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isUngreedyError(err, 'UNG_ERR_CLI_USAGE'), String(err));
    assert.deepEqual(err.data, data);
    return true;
  });
}

test('parseCliArgs: typed values and positionals; unknown flags and extra positionals are usage errors', () => {
  const options = { out: { type: 'string' }, duo: { type: 'boolean' } } as const;
  const { values, positionals } = parseCliArgs('prepare x', ['root', '--out', 'c', '--duo'], options, 1);
  assert.deepEqual({ ...values }, { out: 'c', duo: true });
  assert.deepEqual(positionals, ['root']);
  assertUsage(() => parseCliArgs('prepare x', ['--fast'], options), { command: 'prepare x' });
  assertUsage(() => parseCliArgs('prepare x', ['a', 'b'], options, 1), { command: 'prepare x', argument: 'b' });
});

test('requirePositional and requireOption name what is missing', () => {
  assert.equal(requirePositional('prepare x', ['root'], '<root>'), 'root');
  assertUsage(() => requirePositional('prepare x', [], '<root>'), { command: 'prepare x', argument: '<root>' });
  assert.equal(requireOption('prepare x', 'out', 'dir'), 'dir');
  assertUsage(() => requireOption('prepare x', 'out', undefined), { command: 'prepare x', argument: 'out' });
  assertUsage(() => requireOption('prepare x', 'out', ''), { command: 'prepare x', argument: 'out' });
});

test('numberOption: undefined when absent; finite numbers, integers and a minimum when asked', () => {
  assert.equal(numberOption('make x', 'noise', undefined), undefined);
  assert.equal(numberOption('make x', 'noise', '0.25', { min: 0 }), 0.25);
  assert.equal(numberOption('make x', 'shift', '-3'), -3);
  assert.equal(numberOption('make x', 'frames', '12', { integer: true, min: 1 }), 12);
  for (const [value, rule] of [
    ['big', {}],
    ['', {}],
    [' ', {}],
    ['Infinity', {}],
    ['-0.5', { min: 0 }],
    ['1.5', { integer: true }],
    ['0', { integer: true, min: 1 }],
  ] as const) {
    assertUsage(() => numberOption('make x', 'frames', value, rule), { command: 'make x', argument: 'frames', value });
  }
});

test('integerOption is a non-negative integer', () => {
  assert.equal(integerOption('run', 'seed', '0'), 0);
  assert.equal(integerOption('run', 'seed', undefined), undefined);
  assertUsage(() => integerOption('run', 'seed', '-1'), { command: 'run', argument: 'seed', value: '-1' });
  assertUsage(() => integerOption('run', 'seed', '2.5'), { command: 'run', argument: 'seed', value: '2.5' });
});

test('choiceOption accepts only the listed words', () => {
  assert.equal(choiceOption('make x', 'codec', 'ffv1', ['mjpeg', 'ffv1']), 'ffv1');
  assert.equal(choiceOption('make x', 'codec', undefined, ['mjpeg', 'ffv1']), undefined);
  assertUsage(() => choiceOption('make x', 'codec', 'h264', ['mjpeg', 'ffv1']), { command: 'make x', argument: 'codec', value: 'h264' });
});

test('wantsHelp: --help or -h before any --', () => {
  assert.equal(wantsHelp(['--out', 'x', '--help']), true);
  assert.equal(wantsHelp(['-h']), true);
  assert.equal(wantsHelp(['--out', 'x']), false);
  assert.equal(wantsHelp(['--', '--help']), false);
});
