import type { CliCommand } from '../cli-command.js';
import { runPluginCommand } from './plugin-command.js';

export const prepareCommand: CliCommand = {
  summary: 'Convert a dataset\'s raw files once into the layout it trains from (a plugin\'s prepare/<name> command)',
  usage: `Usage: ungreedy prepare <dataset> [options] [--plugin <spec>]

Runs the "prepare/<dataset>" command of an installed dataset plugin (first-party ones are found
automatically; --plugin <package or path> adds others). Options after <dataset> go to the plugin:
see \`ungreedy prepare <dataset> --help\`.`,
  ownHelp: true,
  run: (args, ctx) => runPluginCommand('prepare', 'prepare', args, ctx),
};
