import { join } from 'node:path';
import { writeFileAtomic } from '../../contract/util/atomic-write.js';
import { renderReport } from './report-html.js';
import { writeRunEvents } from './write-run-events.js';
import { readMatrix, type RunRecords } from '../compare/read-runs.js';
import { computeResults, formatCsv, formatJson, formatLatex, formatMarkdown, type ResultsTable } from '../compare/results-table.js';

/** File names a matrix folder gets. */
export const RESULT_FILES = {
  markdown: 'results.md',
  csv: 'results.csv',
  json: 'results.json',
  latex: 'results.tex',
  report: 'report.html',
} as const;

export interface WrittenResults {
  readonly table: ResultsTable;
  readonly runs: readonly RunRecords[];
  readonly markdown: string;
  /** Absolute paths of what was written. */
  readonly files: readonly string[];
}

/**
 * Rebuilds everything a matrix folder shows from its run folders alone (summary.json, manifest.json,
 * metrics.jsonl): the tables, `report.html`, and TensorBoard event files in each run's `tensorboard/`.
 * `ungreedy compare` calls it at the end, `ungreedy report` on demand.
 */
export function writeMatrixResults(outDir: string, options: { tensorboard?: boolean } = {}): WrittenResults {
  const { index, runs } = readMatrix(outDir);
  const table = computeResults(index, runs);
  const markdown = formatMarkdown(table);
  const files: string[] = [];
  const put = (name: string, text: string): void => {
    const file = join(outDir, name);
    writeFileAtomic(file, text);
    files.push(file);
  };
  put(RESULT_FILES.markdown, markdown);
  put(RESULT_FILES.csv, formatCsv(table));
  put(RESULT_FILES.json, formatJson(table));
  put(RESULT_FILES.latex, formatLatex(table));
  put(RESULT_FILES.report, renderReport(table, runs));
  if (options.tensorboard !== false) {
    for (const run of runs) if (run.manifest !== null) files.push(...writeRunEvents(run));
  }
  return { table, runs, markdown, files };
}
