// `@ungreedy/core/app`: the `ungreedy` command, compare (matrices of runs, results tables) and report (HTML,
// TensorBoard). The top layer: it uses the engine (`@ungreedy/core/engine`) and the contract, never the reverse.
// Not part of the contract's semver promise.
export { main } from './cli/main.js';
export { integerOption, type NumberOptionRule } from '../contract/cli/parse-cli-args.js';
export type { CliCommand, CliContext, CliIo } from './cli/cli-command.js';
export { mean, sampleStd, pairedTTest, studentTTwoSidedP } from './compare/statistics.js';
export type { PairedTest } from './compare/statistics.js';
export { loadComparePlan, expandMatrix, getCompareSchema, unimodalLabel } from './compare/compare-config.js';
export type { CompareConfig, ComparePlan, MatrixCell, CellKind, LabelledChoice, LoadComparePlanOptions } from './compare/compare-config.js';
export { runMatrix, cellState } from './compare/run-matrix.js';
export type { CellOutcome, CellState, RunMatrixOptions } from './compare/run-matrix.js';
export { readMatrix, readRunFolder, MATRIX_INDEX } from './compare/read-runs.js';
export type { MatrixIndex, RunRecords } from './compare/read-runs.js';
export { computeResults, formatMarkdown, formatCsv, formatJson, formatLatex } from './compare/results-table.js';
export type { ResultsTable, DatasetResults, ResultRow, Stat } from './compare/results-table.js';
export { writeMatrixResults, RESULT_FILES } from './report/write-results.js';
export { renderReport } from './report/report-html.js';
export { TensorBoardWriter } from './report/tensorboard.js';
export { writeRunEvents } from './report/write-run-events.js';
export { readEventFile } from './report/read-event-file.js';
export type { ScalarEvent } from './report/read-event-file.js';
