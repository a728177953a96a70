import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonObject } from '../../contract/util/json.js';
import { writeFileAtomic, writeJsonAtomic } from '../../contract/util/atomic-write.js';
import { displayPath } from '../../engine/config/format-issues.js';
import type { ComparePlan, MatrixCell } from '../compare/compare-config.js';
import { readJsonOrNull } from '../compare/run-matrix.js';

/**
 * What an executor's workers read from the compare folder (docs/cluster.md, "What the executor writes"):
 * `cells/index.json` maps a cell index to its id, run folder and config, and `cells/<index>.json` is the cell's
 * experiment config (what `ungreedy run` is given); `executor.json` records the jobs submitted for the folder.
 */
export const COMPARE_FOLDER_FILES = { cells: 'cells', cellIndex: 'cells/index.json', executorState: 'executor.json' } as const;

export interface CellIndexEntry {
  readonly index: number;
  readonly id: string;
  /** Run folder, relative to the compare folder. */
  readonly dir: string;
  /** Cell config, relative to the compare folder. */
  readonly config: string;
}

export interface CellIndex {
  /** Folder relative paths of the cell configs resolve against (plugins, dataset roots): absolute. */
  readonly experimentDir: string;
  readonly cells: readonly CellIndexEntry[];
}

/** One submission recorded in `executor.json`. */
export interface ExecutorJobRecord {
  readonly id: string;
  readonly indices: readonly number[];
  readonly submittedAt: string;
}

export interface ExecutorState {
  /** The executor id (`slurm`) and its resolved options, so `status` and a rerun can poll the same scheduler. */
  readonly use: string;
  readonly options: JsonObject;
  /** Oldest first; the last one is the one a rerun watches. */
  readonly jobs: readonly ExecutorJobRecord[];
}

/**
 * Writes `cells/<index>.json` and `cells/index.json` for a plan (atomic writes; a config already there with
 * the same text is left alone, so its mtime says when the matrix was first submitted). Returns the paths written.
 */
export function writeCellFiles(plan: ComparePlan): string[] {
  const dir = join(plan.outDir, COMPARE_FOLDER_FILES.cells);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const entries = plan.cells.map((cell, index): CellIndexEntry => {
    const config = `${COMPARE_FOLDER_FILES.cells}/${index}.json`;
    const file = join(plan.outDir, config);
    const text = `${JSON.stringify(cell.experiment, null, 2)}\n`;
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      writeFileAtomic(file, text);
      written.push(file);
    }
    return { index, id: cell.id, dir: relative(plan.outDir, cell.dir), config };
  });
  const index: CellIndex = { experimentDir: plan.experimentDir, cells: entries };
  writeJsonAtomic(join(plan.outDir, COMPARE_FOLDER_FILES.cellIndex), index);
  written.push(join(plan.outDir, COMPARE_FOLDER_FILES.cellIndex));
  return written;
}

/** Reads `cells/index.json`; UNG_ERR_RUN_NOT_FOUND when the folder has none (compare was not run on it). */
export function readCellIndex(compareDir: string): CellIndex {
  const file = join(compareDir, COMPARE_FOLDER_FILES.cellIndex);
  const index = readJsonOrNull<CellIndex>(file);
  if (index === null || !Array.isArray(index.cells) || typeof index.experimentDir !== 'string') {
    throw new UngreedyError(
      'UNG_ERR_RUN_NOT_FOUND',
      `compare folder ${displayPath(compareDir)} must hold ${COMPARE_FOLDER_FILES.cellIndex} (written by \`ungreedy compare --executor <id>\`), but it has ${existsSync(file) ? 'a malformed one' : 'none'}. ` +
        'Pass the output.dir of a compare config that was submitted to an executor.',
      { dir: compareDir, file },
    );
  }
  return index;
}

/** The matrix cells of a cell index (what `runMatrix` takes), with their configs read from the compare folder. */
export function cellsOf(compareDir: string, index: CellIndex, indices: readonly number[]): MatrixCell[] {
  return indices.map((i) => {
    const entry = index.cells[i];
    if (entry === undefined) {
      throw new UngreedyError('UNG_ERR_CLI_USAGE', `cell index ${i} must be below ${index.cells.length} (the cells of ${displayPath(compareDir)}), but it is not.`, { command: 'compare-cell', argument: 'index' });
    }
    const experiment = readJsonOrNull<JsonObject>(join(compareDir, entry.config));
    if (experiment === null) {
      throw new UngreedyError('UNG_ERR_RUN_FILE_CORRUPT', `cell config ${displayPath(join(compareDir, entry.config))} must be a JSON experiment config, but it is missing or malformed. Run compare again to rewrite it.`, { file: join(compareDir, entry.config) });
    }
    const [dataset = '', label = '', seedName = ''] = entry.id.split('/');
    return { id: entry.id, dataset, label, seed: Number(seedName.replace(/^seed/, '')), kind: { type: 'strategy', use: '' }, dir: resolve(compareDir, entry.dir), experiment };
  });
}

export function readExecutorState(compareDir: string): ExecutorState | null {
  return readJsonOrNull<ExecutorState>(join(compareDir, COMPARE_FOLDER_FILES.executorState));
}

export function writeExecutorState(compareDir: string, state: ExecutorState): void {
  writeJsonAtomic(join(compareDir, COMPARE_FOLDER_FILES.executorState), state);
}

