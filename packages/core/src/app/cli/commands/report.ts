import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { problemText, type RunRecords } from '../../compare/read-runs.js';
import { RESULT_FILES, writeMatrixResults } from '../../report/write-results.js';
import { displayPath } from '../../../engine/config/format-issues.js';
import { UngreedyError } from '../../../contract/errors/errors.js';
import type { CliCommand } from '../cli-command.js';
import { parseCliArgs, requirePositional } from '../../../contract/cli/parse-cli-args.js';

export const reportCommand: CliCommand = {
  summary: 'Rebuild the results tables, report.html and TensorBoard event files of a compare folder from its run folders',
  usage: `Usage: ungreedy report <dir> [--no-tensorboard]

<dir> is a compare matrix folder (<dir>/<dataset>/<label>/seed<k> run folders, with or without the
compare.json that \`ungreedy compare\` writes). Reads only each run's summary.json, manifest.json and
metrics.jsonl, and writes <dir>/results.md, results.csv, results.json, results.tex, report.html and
<run>/tensorboard/<head>/events.out.tfevents.* (sub-runs fused, head0-<name>, ...).

Every record read is checked against its schema. A run whose summary.json or manifest.json is torn or
malformed, or with a bad metrics.jsonl line, shows as "corrupt" in the tables, and report lists each
file:line and exits 2 (UNG_ERR_RUN_FILE_CORRUPT) after writing them. Only a torn last line of
metrics.jsonl (a crash in the middle of an append) is ignored, with a warning.

  --no-tensorboard  skip the event files`,
  async run(args, ctx) {
    const { values, positionals } = parseCliArgs('report', args, { 'no-tensorboard': { type: 'boolean' } }, 1);
    const dir = resolve(ctx.cwd, requirePositional('report', positionals, 'a compare folder'));
    if (!existsSync(dir)) {
      throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `compare folder ${displayPath(dir)} must exist, but it does not. Pass the output.dir of a compare config.`, { dir });
    }
    const written = writeMatrixResults(dir, { tensorboard: values['no-tensorboard'] !== true });
    if (written.runs.length === 0) {
      throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `compare folder ${displayPath(dir)} must hold run folders <dataset>/<label>/seed<k>, but it has none. Pass the output.dir of a compare config.`, { dir });
    }
    for (const line of written.markdown.trimEnd().split('\n')) ctx.out(line);
    ctx.out('');
    ctx.out(`Report: ${displayPath(join(dir, RESULT_FILES.report))}; tables: results.md, .csv, .json, .tex (${foldersRead(written.runs)})`);
    for (const w of written.runs.flatMap((r) => r.warnings)) ctx.err(`warning: ${displayPath(problemText(w))}`);
    const corrupt = written.runs.flatMap((r) => r.corrupt);
    if (corrupt.length > 0) {
      // The tables are written (corrupt cells marked as such); the exit code says they are incomplete.
      throw new UngreedyError(
        'UNG_ERR_RUN_FILE_CORRUPT',
        `every record of ${displayPath(dir)} must fit its schema, but ${corrupt.length} do not (those runs show as corrupt in the tables):\n` +
          corrupt.map((p) => `  ${displayPath(problemText(p))}`).join('\n') + '\nFix: rerun those cells (delete their folders and run compare again), or repair the files.',
        { dir, problems: corrupt },
      );
    }
    return 0;
  },
};

/**
 * What was read, counted by run folder: `<dataset>/<label>/seed<k>` folders that hold a run (its manifest or
 * summary), by state; the matrix's cells without one (not started); attempts compare kept aside as
 * `seed<k>.failed-<n>` (docs/compare.md), which are not read.
 */
export function foldersRead(runs: readonly RunRecords[]): string {
  const read = runs.filter((r) => existsSync(r.dir) && (r.manifest !== null || r.summary !== null));
  const count = (n: number, what: string): string => `${n} ${what}`;
  const states = [
    count(read.filter((r) => r.corrupt.length === 0 && r.summary?.status === 'completed').length, 'completed'),
    count(read.filter((r) => r.pending).length, 'partial (running or interrupted)'),
    count(read.filter((r) => r.corrupt.length === 0 && r.error !== null).length, 'failed'),
    count(read.filter((r) => r.corrupt.length > 0).length, 'corrupt'),
  ].filter((c) => !c.startsWith('0 '));
  const parts = [`${read.length} run folder${read.length === 1 ? '' : 's'} read${states.length > 0 ? `: ${states.join(', ')}` : ''}`];
  const notStarted = runs.length - read.length;
  if (notStarted > 0) parts.push(`${notStarted} of the matrix's ${runs.length} runs not started`);
  const cellFolders = new Set(runs.map((r) => dirname(r.dir)));
  const keptAside = [...cellFolders].flatMap((d) => (existsSync(d) ? readdirSync(d) : []).filter((n) => /^seed\d+\.failed-\d+$/.test(n))).length;
  if (keptAside > 0) parts.push(`${keptAside} kept-aside attempt${keptAside === 1 ? '' : 's'} (seed<k>.failed-<n>) not read`);
  return parts.join('; ');
}
