import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileSchema } from '../../engine/config/ajv.js';
import { applySchemaDefaults } from '../../engine/config/apply-schema-defaults.js';
import { configInvalidError, showValue, type ConfigIssue } from '../../engine/config/format-issues.js';
import { loadConfigFile } from '../../engine/config/load-config-file.js';
import { resolveExperiment } from '../../engine/assembly/load-experiment.js';
import { issuesFromAjv } from '../../engine/config/validate-config.js';
import { isUngreedyError } from '../../contract/errors/errors.js';
import type { Logger } from '../../contract/log/logger.js';
import { deepMerge, isPlainObject } from '../../engine/util/deep-merge.js';
import type { JsonObject, JsonSchema } from '../../contract/util/json.js';

/** One labelled component choice of a compare config (`strategies[i]`, `datasets[j]`). */
export interface LabelledChoice {
  readonly label: string;
  readonly use: string;
  readonly options: JsonObject;
}

/** One strategy row: its choice, and optionally a config patch for this row only (the method's own setting). */
export interface StrategyChoice extends LabelledChoice {
  readonly config?: JsonObject;
}

/** A compare config after defaults (the schema is `schema/compare.schema.json`). */
export interface CompareConfig {
  readonly name: string;
  readonly base: string | JsonObject;
  readonly seeds: readonly number[];
  readonly strategies: readonly StrategyChoice[];
  readonly unimodal: boolean;
  readonly datasets: readonly LabelledChoice[] | null;
  readonly backend: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' | null;
  readonly plugins: readonly string[];
  /** Where the cells run: `{ use: 'local', options: {} }` unless the config says otherwise (docs/cluster.md). */
  readonly executor: { readonly use: string; readonly options: JsonObject };
  readonly output: { readonly dir: string };
}

/** What a cell is: a strategy row, or the uni-modal baseline of one modality. */
export type CellKind = { readonly type: 'strategy'; readonly use: string } | { readonly type: 'unimodal'; readonly modality: number };

/** One run of the matrix: `<outDir>/<dataset>/<label>/seed<seed>`. */
export interface MatrixCell {
  /** `<dataset>/<label>/seed<seed>`, unique in the matrix. */
  readonly id: string;
  readonly dataset: string;
  readonly label: string;
  readonly seed: number;
  readonly kind: CellKind;
  /** Absolute path of the run folder. */
  readonly dir: string;
  /** The experiment config of this cell, before defaults (what `ungreedy run` is given). */
  readonly experiment: JsonObject;
}

/** A loaded compare config and its matrix. */
export interface ComparePlan {
  readonly file: string;
  readonly config: CompareConfig;
  /** Folder relative paths of the experiment configs resolve against (the base config's, else the compare file's). */
  readonly experimentDir: string;
  readonly outDir: string;
  /** Dataset labels in config order. */
  readonly datasets: readonly string[];
  readonly cells: readonly MatrixCell[];
}

/** Label of the uni-modal baseline of modality k (its folder name). */
export const unimodalLabel = (k: number): string => `unimodal-m${k}`;

let compareSchema: JsonSchema | undefined;

/** The published compare schema (`schema/compare.schema.json`). */
export function getCompareSchema(): JsonSchema {
  // src/compare/ and dist/compare/ are both two levels below the package root, where schema/ lives.
  compareSchema ??= JSON.parse(readFileSync(new URL('../../../schema/compare.schema.json', import.meta.url), 'utf8')) as JsonSchema;
  return compareSchema;
}

export interface LoadComparePlanOptions {
  readonly cwd?: string;
  /** Replaces `output.dir` (resolved against `cwd`). */
  readonly outDir?: string;
  readonly log?: Logger;
}

/**
 * Reads a compare config (JSON, YAML or a module, like an experiment config), validates it against the compare
 * schema, expands the matrix, and validates every distinct cell config exactly as `ungreedy run` would (core
 * schema, plugins, component options), before anything runs. All problems come back together in one
 * UNG_ERR_CONFIG_INVALID whose pointers point into the compare file (`/strategies/1/options/alpha`) or, for
 * problems of the base config itself, into the base file.
 *
 * @example
 * const plan = await loadComparePlan('recipes/quickstart.yaml');
 * plan.cells.length; // strategies × seeds (+ uni-modal baselines × seeds) × datasets
 */
export async function loadComparePlan(path: string, options: LoadComparePlanOptions = {}): Promise<ComparePlan> {
  const cwd = options.cwd ?? process.cwd();
  const { file, dir, raw } = await loadConfigFile(path, cwd);
  const schema = getCompareSchema();
  if (!isPlainObject(raw)) {
    throw configInvalidError(file, [{ pointer: '', message: `must be an object with "base" and "strategies", but got ${showValue(raw)}`, value: raw }]);
  }
  const config = applySchemaDefaults(schema, deepMerge({}, raw)) as Record<string, unknown>;
  for (const list of ['strategies', 'datasets']) {
    const items = config[list];
    if (Array.isArray(items)) for (const item of items) if (isPlainObject(item) && item['options'] === undefined) item['options'] = {};
  }
  const validate = compileSchema(schema);
  const issues: ConfigIssue[] = validate(config) ? [] : issuesFromAjv(validate.errors ?? [], '');
  const typed = config as unknown as CompareConfig;
  if (issues.length === 0) issues.push(...duplicateLabels(typed));
  if (issues.length > 0) throw configInvalidError(file, issues);

  let baseRaw: unknown;
  let baseFile = file;
  let experimentDir = dir;
  if (typeof typed.base === 'string') {
    const loaded = await loadConfigFile(typed.base, dir);
    baseRaw = loaded.raw;
    baseFile = loaded.file;
    experimentDir = loaded.dir;
  } else {
    baseRaw = typed.base;
  }
  if (!isPlainObject(baseRaw)) {
    throw configInvalidError(baseFile, [{ pointer: typeof typed.base === 'string' ? '' : '/base', message: `must be an experiment config object, but got ${showValue(baseRaw)}`, value: baseRaw }]);
  }
  const outDir = options.outDir !== undefined ? resolve(cwd, options.outDir) : resolve(dir, typed.output.dir);
  const plan = expandMatrix(typed, baseRaw as JsonObject, outDir);
  await checkCells(plan, {
    strategies: typed.strategies,
    compareFile: file,
    baseFile,
    baseInline: typeof typed.base !== 'string',
    listsDatasets: typed.datasets !== null,
    experimentDir,
    ...(options.log ? { log: options.log } : {}),
  });
  return { file, config: typed, experimentDir, outDir, datasets: plan.datasets, cells: plan.cells };
}

function duplicateLabels(config: CompareConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const list of ['strategies', 'datasets'] as const) {
    const seen = new Set<string>();
    (config[list] ?? []).forEach((c, i) => {
      if (seen.has(c.label) || (list === 'strategies' && /^unimodal-m\d+$/.test(c.label))) {
        issues.push({ pointer: `/${list}/${i}/label`, message: `must be unique and not of the form unimodal-m<k> (reserved for baselines), but got ${showValue(c.label)}`, value: c.label });
      }
      seen.add(c.label);
    });
  }
  return issues;
}

/**
 * The matrix of a compare config: for every dataset, every strategy and (with `unimodal`) every modality's
 * uni-modal baseline, every seed. Uni-modal cells need the modality count, which only the dataset knows; the
 * base config's `model.encoders` length (2+) or, failing that, 2 is used here and the cell configs are checked
 * against the dataset when they run.
 */
export function expandMatrix(config: CompareConfig, base: JsonObject, outDir: string): { datasets: string[]; cells: MatrixCell[] } {
  const baseDataset = isPlainObject(base['dataset']) ? base['dataset'] : {};
  const datasets: LabelledChoice[] = config.datasets !== null
    ? [...config.datasets]
    : [{ label: typeof baseDataset['use'] === 'string' ? baseDataset['use'] : 'dataset', use: String(baseDataset['use']), options: (baseDataset['options'] ?? {}) as JsonObject }];
  const model = isPlainObject(base['model']) ? base['model'] : {};
  const encoders = Array.isArray(model['encoders']) ? model['encoders'] : [];
  const modalities = Array.isArray(model['modalities']) ? (model['modalities'] as number[]) : null;
  const modalityCount = modalities?.length ?? Math.max(2, encoders.length);
  const plugins = [...(Array.isArray(base['plugins']) ? (base['plugins'] as string[]) : [])];
  for (const p of config.plugins) if (!plugins.includes(p)) plugins.push(p);
  const cells: MatrixCell[] = [];
  for (const ds of datasets) {
    const rows: { label: string; kind: CellKind; patch: JsonObject; config?: JsonObject }[] = [];
    if (config.unimodal) {
      for (let k = 0; k < modalityCount; k++) {
        const m = modalities?.[k] ?? k;
        const encoder = encoders.length > 1 ? [encoders[k]] : encoders;
        rows.push({
          label: unimodalLabel(m),
          kind: { type: 'unimodal', modality: m },
          patch: { model: { modalities: [m], encoders: encoder as JsonObject[] }, strategy: { use: 'vanilla', options: {} } },
        });
      }
    }
    for (const s of config.strategies) {
      rows.push({ label: s.label, kind: { type: 'strategy', use: s.use }, patch: { strategy: { use: s.use, options: s.options } }, ...(s.config ? { config: s.config } : {}) });
    }
    for (const row of rows) {
      for (const seed of config.seeds) {
        const dir = join(outDir, ds.label, row.label, `seed${seed}`);
        // A row's own config patch (e.g. the method's model setting) merges over the base, under the cell's fields.
        const experiment = deepMerge(deepMerge(base, row.config ?? {}), {
          name: `${config.name}-${ds.label}-${row.label}`,
          seed,
          plugins,
          ...(config.backend === null ? {} : { backend: config.backend }),
          output: { dir: dirname(dir), runName: `seed${seed}` },
        }) as JsonObject;
        // Replace (not merge) the strategy and the model's modality/encoder lists of the row.
        const merged = { ...experiment, ...(row.patch['strategy'] ? { strategy: row.patch['strategy'] } : {}) } as JsonObject;
        if (isPlainObject(row.patch['model'])) merged['model'] = { ...(merged['model'] as JsonObject), ...(row.patch['model'] as JsonObject) };
        // A listed dataset replaces the base's (its options are not merged into another dataset's).
        merged['dataset'] = config.datasets === null ? (deepMerge(baseDataset, {}) as JsonObject) : { use: ds.use, options: deepMerge({}, ds.options) as JsonObject };
        cells.push({ id: `${ds.label}/${row.label}/seed${seed}`, dataset: ds.label, label: row.label, seed, kind: row.kind, dir, experiment: merged });
      }
    }
  }
  return { datasets: datasets.map((d) => d.label), cells };
}

/**
 * Validates one cell per (dataset, row), as `ungreedy run` would, and maps issue pointers back to the compare
 * file: `/strategy/...` of a strategy row to `/strategies/<i>/...`, `/dataset/...` to `/datasets/<j>/...` (when
 * the compare lists datasets), anything else to the base config (`/base/...` when it is inline).
 */
async function checkCells(
  plan: { datasets: readonly string[]; cells: readonly MatrixCell[] },
  ctx: { strategies: readonly StrategyChoice[]; compareFile: string; baseFile: string; baseInline: boolean; listsDatasets: boolean; experimentDir: string; log?: Logger },
): Promise<void> {
  const compareIssues: ConfigIssue[] = [];
  const baseIssues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const strategyIndex = new Map<string, number>();
  const datasetIndex = new Map<string, number>();
  for (const c of plan.cells) {
    if (c.kind.type === 'strategy' && !strategyIndex.has(c.label)) strategyIndex.set(c.label, strategyIndex.size);
    if (!datasetIndex.has(c.dataset)) datasetIndex.set(c.dataset, datasetIndex.size);
  }
  for (const cell of plan.cells) {
    const key = `${cell.dataset}/${cell.label}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      await resolveExperiment(cell.experiment, {
        file: ctx.compareFile,
        configDir: ctx.experimentDir,
        ...(ctx.log ? { log: ctx.log } : {}),
      });
    } catch (err) {
      if (!isUngreedyError(err, 'UNG_ERR_CONFIG_INVALID')) throw err;
      const issues = (err.data as { issues: ConfigIssue[] }).issues;
      for (const issue of issues) {
        const p = issue.pointer;
        let mapped: ConfigIssue | undefined;
        const row = cell.kind.type === 'strategy' ? strategyIndex.get(cell.label)! : -1;
        if (p.startsWith('/strategy') && cell.kind.type === 'strategy') {
          mapped = { ...issue, pointer: `/strategies/${row}${p.slice('/strategy'.length)}` };
        } else if (row >= 0 && hasPointer(ctx.strategies[row]?.config, p)) {
          mapped = { ...issue, pointer: `/strategies/${row}/config${p}` };
        } else if (p.startsWith('/dataset') && ctx.listsDatasets) {
          mapped = { ...issue, pointer: `/datasets/${datasetIndex.get(cell.dataset)}${p.slice('/dataset'.length)}` };
        }
        if (mapped !== undefined) pushUnique(compareIssues, mapped);
        else pushUnique(baseIssues, ctx.baseInline ? { ...issue, pointer: `/base${p}` } : issue);
      }
    }
  }
  if (ctx.baseInline) compareIssues.push(...baseIssues);
  if (compareIssues.length > 0) throw configInvalidError(ctx.compareFile, compareIssues);
  if (baseIssues.length > 0) throw configInvalidError(ctx.baseFile, baseIssues);
}

/** Whether `pointer` (JSON Pointer, e.g. `/train/loss`) names a value that `value` sets. */
function hasPointer(value: unknown, pointer: string): boolean {
  if (value === undefined || pointer === '') return false;
  let at: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isPlainObject(at) || !(key in at)) return false;
    at = at[key];
  }
  return true;
}

function pushUnique(list: ConfigIssue[], issue: ConfigIssue): void {
  if (!list.some((i) => i.pointer === issue.pointer && i.message === issue.message)) list.push(issue);
}
