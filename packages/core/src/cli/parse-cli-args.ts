import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UngreedyError } from '../errors.js';

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
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --${name} must be a non-negative integer, but got "${value}".`, {
      command,
      argument: name,
    });
  }
  return n;
}
