import type { CliCommand } from '../cli-command.js';
import { compareCommand } from './compare.js';
import { compareCellCommand } from './compare-cell.js';
import { datasetsCommand } from './datasets.js';
import { evaluateCommand } from './evaluate.js';
import { initCommand } from './init.js';
import { pluginsCommand } from './plugins.js';
import { prepareCommand } from './prepare.js';
import { quickstartCommand } from './quickstart.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

/** Every `ungreedy` command by name, sorted (STYLE.md H2). Add a command by adding a file and a line here. */
export const commands: Readonly<Record<string, CliCommand>> = {
  compare: compareCommand,
  'compare-cell': compareCellCommand,
  datasets: datasetsCommand,
  evaluate: evaluateCommand,
  init: initCommand,
  plugins: pluginsCommand,
  prepare: prepareCommand,
  quickstart: quickstartCommand,
  report: reportCommand,
  run: runCommand,
  status: statusCommand,
  validate: validateCommand,
};
