import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UngreedyError } from '../errors/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` in strict mode, its errors turned into UNG_ERR_CLI_USAGE (exit 2) naming the command.
 */
export function parseCliArgs<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  maxPositionals = Infinity,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (cause) {
    throw new UngreedyError(
      'UNG_ERR_CLI_USAGE',
      `ungreedy ${command} got an argument it does not take: ${(cause as Error).message}. See \`ungreedy ${command} --help\`.`,
      { command },
      { cause },
    );
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UngreedyError(
      'UNG_ERR_CLI_USAGE',
      `ungreedy ${command} takes at most ${maxPositionals} argument(s), but got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}. See \`ungreedy ${command} --help\`.`,
      { command, argument: parsed.positionals[maxPositionals] },
    );
  }
  return parsed;
}

/** The one required positional argument, or UNG_ERR_CLI_USAGE naming it. */
export function requirePositional(command: string, positionals: readonly string[], name: string): string {
  const value = positionals[0];
  if (value === undefined) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} needs ${name}, but got none. Usage: see \`ungreedy ${command} --help\`.`, {
      command,
      argument: name,
    });
  }
  return value;
}

/** A non-negative integer option (`--seed 3`), or UNG_ERR_CLI_USAGE. */
export function integerOption(command: string, name: string, value: string | undefined): number | undefined {
  return numberOption(command, name, value, { integer: true, min: 0 });
}

/** What {@link numberOption} accepts besides a finite number. */
export interface NumberOptionRule {
  readonly integer?: boolean;
  /** The smallest value allowed (inclusive). */
  readonly min?: number;
}

/**
 * A numeric option, undefined when it was not given, or UNG_ERR_CLI_USAGE with `data: { command, argument, value }`
 * when it is not a finite number (an integer with `integer`, at least `min` with `min`).
 *
 * @example
 * const frames = numberOption('prepare nvgesture', 'frames', values.frames, { integer: true, min: 1 }) ?? 32;
 */
export function numberOption(command: string, name: string, value: string | undefined, rule: NumberOptionRule = {}): number | undefined {
  if (value === undefined) return undefined;
  // Number('') and Number(' ') are 0: an empty value is not a number here.
  const n = value.trim() === '' ? Number.NaN : Number(value);
  const min = rule.min ?? -Infinity;
  if (!Number.isFinite(n) || (rule.integer === true && !Number.isInteger(n)) || n < min) {
    const kind = rule.integer === true ? (min === 0 ? 'a non-negative integer' : 'an integer') : 'a number';
    const bound = min === -Infinity || (rule.integer === true && min === 0) ? '' : ` >= ${min}`;
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --${name} must be ${kind}${bound}, but got "${value}".`, {
      command,
      argument: name,
      value,
    });
  }
  return n;
}

/**
 * An option that takes one of a few words (`--lists auto|v2|v1`), undefined when it was not given, or
 * UNG_ERR_CLI_USAGE with `data: { command, argument, value }`.
 *
 * @example
 * const codec = choiceOption('datasets make nvgesture-mini', 'codec', values.codec, ['mjpeg', 'ffv1'] as const) ?? 'mjpeg';
 */
export function choiceOption<C extends string>(command: string, name: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --${name} must be one of ${choices.join(', ')}, but got "${value}".`, {
      command,
      argument: name,
      value,
    });
  }
  return value as C;
}

/** A string option the command cannot run without (`--out <dir>`), or UNG_ERR_CLI_USAGE naming it. */
export function requireOption(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} needs --${name}, but got none. See \`ungreedy ${command} --help\`.`, {
      command,
      argument: name,
    });
  }
  return value;
}

/**
 * Whether a command line asks for help (`--help` or `-h` before any `--`), checked before parsing: a plugin
 * command's help is printed from its declaration (command-args.ts `runCommand`).
 */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  return flags.includes('--help') || flags.includes('-h');
}
