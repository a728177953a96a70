import type { CliCommand } from '../cli-command.js';
import { loadCommandPlugins } from '../first-party-plugins.js';
import { runPluginCommand } from './plugin-command.js';

export const datasetsCommand: CliCommand = {
  summary: 'List installed datasets, or generate small data in a dataset\'s real layout (datasets make <name>)',
  usage: `Usage: ungreedy datasets [list] [--plugin <spec>]
       ungreedy datasets make <dataset> [options] [--plugin <spec>]

list   every dataset of core, the installed first-party plugins and --plugin, with its
       prepare/make commands.
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
    const commands = registry.ids('commands');
    const ids = registry.ids('datasets');
    if (ids.length === 0) ctx.out('No datasets installed. Install one, e.g. npm install @ungreedy/dataset-colored-mnist');
    for (const id of ids) {
      const found = registry.find('datasets', id)!;
      const tools = ['prepare', 'make'].filter((k) => commands.includes(`${k}/${id}`));
      ctx.out(`${id}  (${found.plugin.manifest.meta.name})${tools.length > 0 ? `  commands: ${tools.join(', ')}` : ''}`);
      ctx.out(`    ${found.contribution.meta.docs.description}`);
    }
    return 0;
  },
};
