import type { PluginRegistry } from '../../../engine/plugin/registry.js';
import type { CliCommand } from '../cli-command.js';
import { loadCommandPlugins } from '../first-party-plugins.js';
import { runPluginCommand } from './plugin-command.js';

export const datasetsCommand: CliCommand = {
  summary: 'List installed datasets, or generate small data in a dataset\'s real layout (datasets make <name>)',
  usage: `Usage: ungreedy datasets [list] [--plugin <spec>]
       ungreedy datasets make <dataset> [options] [--plugin <spec>]

list   every dataset of core, the installed first-party plugins and --plugin, with the
       prepare/make commands its plugin offers, as you would type them.
make   runs the "make/<dataset>" command of a dataset plugin: a generator of small data in the
       dataset's real file layout (for trying things out and for tests). Options after <dataset> go
       to the plugin: see \`ungreedy datasets make <dataset> --help\`.`,
  ownHelp: true,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h') {
      ctx.out(this.usage);
      return 0;
    }
    if (sub === 'make') return runPluginCommand('make', 'datasets make', rest, ctx);
    const extra: string[] = [];
    const listArgs = sub === 'list' ? rest : args;
    for (let i = 0; i < listArgs.length; i++) {
      if (listArgs[i] === '--plugin' && listArgs[i + 1] !== undefined) extra.push(listArgs[++i]!);
      else if (listArgs[i]!.startsWith('--plugin=')) extra.push(listArgs[i]!.slice(9));
      else {
        ctx.err(`ungreedy datasets: unknown argument "${listArgs[i]}"`);
        ctx.out(this.usage);
        return 2;
      }
    }
    const registry = await loadCommandPlugins(ctx.cwd, extra, ctx.log);
    const ids = registry.ids('datasets');
    if (ids.length === 0) ctx.out('No datasets installed. Install one, e.g. npm install @ungreedy/dataset-colored-mnist');
    const shown = new Set<string>();
    for (const id of ids) {
      const found = registry.find('datasets', id)!;
      ctx.out(`${id}  (${found.plugin.manifest.meta.name})`);
      ctx.out(`    ${found.contribution.meta.docs.description}`);
      // The plugin's own prepare/make commands, whatever they are named (make/modelnet40-mini makes modelnet40 data).
      for (const commandId of Object.keys(found.plugin.manifest.commands ?? {}).sort(byKind)) {
        shown.add(commandId);
        ctx.out(`    ${commandLine(registry, commandId)}`);
      }
    }
    const others = registry.ids('commands').filter((c) => !shown.has(c)).sort(byKind);
    if (others.length > 0) ctx.out('Other dataset commands:');
    for (const commandId of others) ctx.out(`    ${commandLine(registry, commandId)}`);
    return 0;
  },
};

/** prepare before make, then by name. */
function byKind(a: string, b: string): number {
  return a.startsWith('prepare/') === b.startsWith('prepare/') ? a.localeCompare(b) : a.startsWith('prepare/') ? -1 : 1;
}

/** `prepare: ungreedy prepare modelnet40 <raw> --out <dir> ...  (what it does)`: the command as a user types it. */
function commandLine(registry: PluginRegistry, commandId: string): string {
  const [kind, name] = commandId.split('/') as [string, string];
  const docs = registry.find('commands', commandId)!.contribution.meta.docs as { description: string; usage?: string };
  const typed = kind === 'make' ? `ungreedy datasets make ${name}` : `ungreedy ${kind} ${name}`;
  const usage = docs.usage?.trim().startsWith('ungreedy ') === true ? docs.usage.trim().split('\n')[0]! : `${typed} [options]`;
  return `${kind}: ${usage}\n        ${docs.description}`;
}
