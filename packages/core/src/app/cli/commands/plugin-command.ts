import { runCommand } from '../../../contract/cli/command-args.js';
import { UngreedyError } from '../../../contract/errors/errors.js';
import { didYouMean } from '../../../engine/util/did-you-mean.js';
import type { CliContext } from '../cli-command.js';
import { loadCommandPlugins } from '../first-party-plugins.js';

/**
 * Runs a plugin's `prepare/<name>` or `make/<name>` command with the remaining arguments. `--plugin <spec>`
 * (repeatable, anywhere) loads more plugins first; everything else after the name is parsed against the
 * command's declared options (contract/cli/command-args.ts), and `--help` is printed from them.
 */
export async function runPluginCommand(
  kind: 'prepare' | 'make',
  command: string,
  args: readonly string[],
  ctx: CliContext,
): Promise<number> {
  const extra: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--plugin') {
      const spec = args[++i];
      if (spec === undefined) {
        throw new UngreedyError('UNG_ERR_CLI_USAGE', `ungreedy ${command} --plugin needs a package name or path, but got none.`, { command, argument: 'plugin' });
      }
      extra.push(spec);
    } else if (a.startsWith('--plugin=')) extra.push(a.slice('--plugin='.length));
    else rest.push(a);
  }
  const registry = await loadCommandPlugins(ctx.cwd, extra, ctx.log);
  const available = registry.ids('commands').filter((id) => id.startsWith(`${kind}/`)).map((id) => id.slice(kind.length + 1));
  const name = rest[0];
  if (name === undefined || name === '--help' || name === '-h') {
    ctx.out(`Usage: ungreedy ${command} <dataset> [options] [--plugin <spec>]`);
    ctx.out(`Datasets with a ${kind} command: ${available.join(', ') || 'none installed'}`);
    return name === undefined ? 2 : 0;
  }
  const found = registry.find('commands', `${kind}/${name}`);
  if (found === undefined) {
    const suggestion = didYouMean(name, available);
    throw new UngreedyError(
      'UNG_ERR_UNKNOWN_COMPONENT',
      `ungreedy ${command} needs a dataset with a "${kind}" command, but got "${name}"` +
        (suggestion === undefined ? ` (available: ${available.join(', ') || 'none; install a dataset plugin or pass --plugin'})` : `. Did you mean "${suggestion}"?`),
      { kind: 'commands', id: `${kind}/${name}`, known: available, ...(suggestion === undefined ? {} : { suggestion }) },
    );
  }
  const log = ctx.log.child({ plugin: found.plugin.manifest.meta.name, command: `${kind}/${name}` });
  return runCommand(found.contribution, `${command} ${name}`, rest.slice(1), { log, cwd: ctx.cwd, print: (line) => ctx.out(line) });
}
