import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isUngreedyError } from '../../../contract/errors/errors.js';
import { parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import { settleCell } from '../../compare/run-matrix.js';
import { cellsOf, readCellIndex } from '../../executors/compare-folder.js';
import type { CliCommand } from '../cli-command.js';
import { runCommand } from './run.js';

export const compareCellCommand: CliCommand = {
  summary: 'Run one cell of a compare folder by its index (what an executor\'s task runs; internal)',
  usage: `Usage: ungreedy compare-cell <compare-dir> <index>

Runs cell <index> of <compare-dir>/cells/index.json (written by \`ungreedy compare --executor <id>\`) the way a
local compare runs a cell: nothing to do when its run folder has completed; \`run --resume\` when it holds a
checkpoint of an interrupted run; otherwise (a failed or half-started folder is moved aside as seed<k>.failed-<n>)
\`run\` of the cell's config into its folder. While another process holds the folder's lock it waits.
It runs in this process, so a SIGTERM from the scheduler (scancel, preemption, a time limit) reaches the run,
which checkpoints and exits 143; the next submission resumes it. Exit code: that of \`ungreedy run\`.`,
  async run(args, ctx) {
    const { positionals } = parseCliArgs('compare-cell', args, {}, 2);
    const compareDir = resolve(ctx.cwd, requirePositional('compare-cell', positionals, 'a compare folder'));
    const indexText = requirePositional('compare-cell', positionals.slice(1), 'a cell index');
    const index = readCellIndex(compareDir);
    const [cell] = cellsOf(compareDir, index, [Number(/^\d+$/.test(indexText) ? indexText : NaN)]);
    const result = await settleCell(cell!, { log: ctx.log }, async (state) => {
      // The config must sit in the base config's folder, where its plugin names and relative paths resolve (as a
      // local cell's does; a name of its own, so a compare on another host does not sweep it as a dead one's).
      const configFile = join(index.experimentDir, `.ungreedy-task-${hostname()}-${process.pid}-${cell!.id.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
      try {
        if (state === 'resumable') {
          ctx.out(`Cell ${cell!.id}: resuming from its last checkpoint.`);
          return await runCommand.run(['--resume', cell!.dir], ctx);
        }
        writeFileSync(configFile, `${JSON.stringify(cell!.experiment, null, 2)}\n`);
        return await runCommand.run([configFile, '--out', dirname(cell!.dir), '--exact'], ctx);
      } catch (err) {
        // Another writer created the folder between the check and the run: decide again.
        if (isUngreedyError(err, 'UNG_ERR_RUN_LOCKED')) return 'locked';
        throw err;
      } finally {
        rmSync(configFile, { force: true });
      }
    });
    if (result === 'completed') ctx.out(`Cell ${cell!.id} has completed before: ${displayPath(cell!.dir)} is kept.`);
    return result === 'completed' ? 0 : result === 'interrupted' ? 130 : result;
  },
};
