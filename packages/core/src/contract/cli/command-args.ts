import type { CommandContext, CommandContribution } from '../plugin/manifest.js';
import { choiceOption, numberOption, parseCliArgs, requireOption, requirePositional, wantsHelp } from './parse-cli-args.js';

type Meta = CommandContribution['meta'];
type Option = NonNullable<Meta['options']>[string];

/**
 * Parses a plugin command's arguments against the options and positionals its meta declares (manifest.ts
 * CommandContribution): unknown options, a missing required option or positional, too many positionals, a
 * number that is not one (or below `min`), and a word not among `choices` are UNG_ERR_CLI_USAGE naming the
 * command and the option. Options not given take their `default`; a flag not given is false.
 */
export function parseCommandArgs(command: string, meta: Meta, args: readonly string[]): CommandContext['args'] {
  const declared = Object.entries(meta.options ?? {});
  const positionals = meta.positionals ?? [];
  const parsed = parseCliArgs(
    command,
    args,
    Object.fromEntries(declared.map(([name, o]) => [name, { type: o.type === 'boolean' ? 'boolean' : 'string' }] as const)),
    positionals.length,
  );
  const options: Record<string, string | number | boolean | undefined> = {};
  for (const [name, o] of declared) options[name] = optionValue(command, name, o, parsed.values[name]);
  for (const [i, p] of positionals.entries()) if (p.required === true) requirePositional(command, parsed.positionals.slice(i), `<${p.name}>`);
  return { options, positionals: parsed.positionals };
}

function optionValue(command: string, name: string, o: Option, raw: string | boolean | undefined): string | number | boolean | undefined {
  if (o.type === 'boolean') return raw === true || (raw === undefined && o.default === true);
  const text = raw as string | undefined;
  if (o.required === true) requireOption(command, name, text);
  if (text === undefined) return o.default;
  if (o.type === 'number' || o.type === 'integer') {
    return numberOption(command, name, text, { integer: o.type === 'integer', ...(o.min === undefined ? {} : { min: o.min }) });
  }
  return o.choices === undefined ? text : choiceOption(command, name, text, o.choices);
}

/** The `--help` text of a plugin command, made from its declaration: usage, description, arguments, options, help. */
export function commandHelp(meta: Meta): string[] {
  const lines = [`Usage: ${meta.docs.usage}`, '', meta.docs.description];
  const rows: [string, string][] = [
    ...(meta.positionals ?? []).map((p): [string, string] => [`<${p.name}>`, p.required === true ? p.description : `${p.description} (optional)`]),
    ...Object.entries(meta.options ?? {}).map(([name, o]): [string, string] => [
      o.type === 'boolean' ? `--${name}` : `--${name} <${o.placeholder ?? (o.choices?.join('|') || o.type)}>`,
      o.description + facts(o),
    ]),
  ];
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  if (rows.length > 0) lines.push('', ...rows.map(([left, text]) => `  ${left.padEnd(width)}  ${text}`));
  if (meta.docs.help !== undefined) lines.push('', meta.docs.help.trim());
  return lines;
}

function facts(o: Option): string {
  const out: string[] = [];
  if (o.required === true) out.push('required');
  if (o.min !== undefined) out.push(`at least ${o.min}`);
  if (o.default !== undefined && o.type !== 'boolean') out.push(`default ${String(o.default)}`);
  return out.length === 0 ? '' : ` (${out.join('; ')})`;
}

/**
 * Runs a plugin command as the CLI does: `--help`/`-h` (before any `--`) prints {@link commandHelp} and returns 0;
 * otherwise the arguments are parsed against the declaration and `run` gets them in `ctx.args`.
 * `command` is the command line's name for messages (`prepare nvgesture`, `datasets make nvgesture-mini`).
 */
export async function runCommand(
  contribution: CommandContribution,
  command: string,
  args: readonly string[],
  ctx: Omit<CommandContext, 'args'>,
): Promise<number> {
  if (wantsHelp(args)) {
    for (const line of commandHelp(contribution.meta)) ctx.print(line);
    return 0;
  }
  return contribution.run({ ...ctx, args: parseCommandArgs(command, contribution.meta, args) });
}
