import type { Logger } from '../../contract/log/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { loadPlugins } from '../plugin/load-plugins.js';
import { builtinPlugin } from './builtins.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { BackendName, ExperimentConfig } from '../config/experiment-config.js';
import { configInvalidError, type ConfigIssue } from '../config/format-issues.js';
import { loadConfigFile } from '../config/load-config-file.js';
import { outputPathIssues } from '../run/output-path-issues.js';
import { checkComponents, checkCoreConfig } from '../config/validate-config.js';
import { datasetIssues } from '../config/check-against-dataset.js';
import { modelIssues } from '../config/check-model.js';
import { datasetCacheDir } from '../../contract/data/dataset.js';
import { UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';

/** Command-line values that replace the file's (`--backend`, `--seed`). */
export interface ExperimentOverrides {
  readonly backend?: BackendName;
  readonly seed?: number;
}

export interface LoadedExperiment {
  /** The resolved config: defaults applied, every schema passed. This is what runs. */
  readonly config: ExperimentConfig;
  readonly file: string;
  readonly configDir: string;
  readonly registry: PluginRegistry;
}

export interface ResolveExperimentOptions {
  /** Shown in messages (the config file, or a run folder's config.resolved.json). */
  readonly file: string;
  readonly configDir: string;
  readonly overrides?: ExperimentOverrides;
  readonly registry?: PluginRegistry;
  readonly log?: Logger;
  /**
   * Check the config against the dataset's `describe()` (data root, modalities, split sizes); default true.
   * Tools that check recipes on a machine without the data turn it off.
   */
  readonly checkData?: boolean;
}

/**
 * Config file → resolved config and loaded plugins, before any tensor exists: read, check the core schema,
 * load the listed plugins (core's built-ins first), check every component, and throw one
 * UNG_ERR_CONFIG_INVALID listing all issues. Plugin loading errors (not found, core range, ...) are thrown
 * as they are.
 *
 * @example
 * const { config, registry, configDir } = await loadExperiment('experiments/cmnist.yaml', { overrides: { seed: 2 } });
 */
export async function loadExperiment(
  path: string,
  options: Omit<ResolveExperimentOptions, 'file' | 'configDir'> & { readonly cwd?: string } = {},
): Promise<LoadedExperiment> {
  const { file, dir, raw } = await loadConfigFile(path, options.cwd);
  return resolveExperiment(raw, { ...options, file, configDir: dir });
}

/**
 * The same as {@link loadExperiment} for a config already in memory. Every problem is collected before
 * anything is thrown: core schema, plugins that fail to load (each one issue at `/plugins/<i>`), component
 * options, and the config against the dataset's cheap `describe` (check-against-dataset.ts). A single plugin
 * failure with nothing else wrong is rethrown with its own code (UNG_ERR_PLUGIN_NOT_FOUND, ...).
 */
export async function resolveExperiment(raw: unknown, options: ResolveExperimentOptions): Promise<LoadedExperiment> {
  const input = isPlainObject(raw) ? { ...raw, ...definedOnly(options.overrides ?? {}) } : raw;
  const { config, issues } = checkCoreConfig(input);
  const plugins = config['plugins'];
  const pluginsOk = !issues.some((i) => i.pointer === '/plugins' || i.pointer.startsWith('/plugins/'));
  const base = { configDir: options.configDir, ...(options.log === undefined ? {} : { log: options.log }) };
  const registry = await loadPlugins({ specifiers: [], builtins: builtinPlugin, ...base, ...(options.registry === undefined ? {} : { registry: options.registry }) });
  const pluginErrors: UngreedyError[] = [];
  for (const [i, specifier] of (pluginsOk && Array.isArray(plugins) ? (plugins as string[]) : []).entries()) {
    try {
      await loadPlugins({ specifiers: [specifier], registry, ...base });
    } catch (err) {
      if (!isUngreedyError(err) || !err.code.startsWith('UNG_ERR_PLUGIN_')) throw err;
      pluginErrors.push(err);
      issues.push({ pointer: `/plugins/${i}`, message: `could not be loaded (${err.message})`, value: specifier });
    }
  }
  const componentIssues = checkComponents(config, registry);
  // With a plugin missing, an unknown id it would have provided is not a second mistake: say where it would
  // come from, and count only the other issues when deciding whether the plugin error stands alone.
  let consequences = 0;
  for (const issue of componentIssues) {
    if (pluginErrors.length > 0 && issue.pointer.endsWith('/use') && /^unknown /.test(issue.message)) {
      consequences++;
      issues.push({ ...issue, message: `${issue.message}; it may come from a plugin above that failed to load` });
    } else issues.push(issue);
  }
  issues.push(...outputPathIssues(config, options.configDir));
  let datasetModalities: number | undefined;
  if (options.checkData !== false && !issues.some((i) => i.pointer.startsWith('/dataset'))) {
    const described = await describeIssues(config, registry, options.configDir);
    datasetModalities = described.modalities;
    for (const issue of described.issues) {
      if (!issues.some((i) => i.pointer === issue.pointer)) issues.push(issue);
    }
  }
  if (!issues.some((i) => i.pointer.startsWith('/model'))) issues.push(...modelIssues(config, registry, datasetModalities));
  if (pluginErrors.length === 1 && issues.length - consequences === 1) throw pluginErrors[0]!;
  if (issues.length > 0) throw configInvalidError(options.file, issues);
  return { config: config as unknown as ExperimentConfig, file: options.file, configDir: options.configDir, registry };
}

/**
 * The config against what its dataset will hold, from the dataset contribution's optional `describe`
 * (no data loaded, no tensors). A dataset without `describe` is checked when the run creates it.
 */
async function describeIssues(
  config: Record<string, unknown>,
  registry: PluginRegistry,
  configDir: string,
): Promise<{ issues: ConfigIssue[]; modalities?: number }> {
  const choice = config['dataset'];
  if (!isPlainObject(choice) || typeof choice['use'] !== 'string') return { issues: [] };
  const found = registry.find('datasets', choice['use']);
  if (found?.contribution.describe === undefined) return { issues: [] };
  let description;
  try {
    description = await found.contribution.describe(choice['options'], { configDir, cacheDir: datasetCacheDir(configDir) });
  } catch (err) {
    // A dataset's own option check (UNG_ERR_CONFIG_INVALID with data.pointer) or data problem is one more issue.
    if (isUngreedyError(err) && (err.code.startsWith('UNG_ERR_DATASET_') || err.code === 'UNG_ERR_CONFIG_INVALID')) {
      const pointer = typeof err.data['pointer'] === 'string' && err.data['pointer'].startsWith('/dataset/options')
        ? err.data['pointer']
        : typeof err.data['option'] === 'string' ? `/dataset/options/${err.data['option']}` : '/dataset/options';
      return { issues: [{ pointer, message: err.message.replace(/^UNG_ERR_[A-Z_]+: /, '').replace(/\.$/, '') }] };
    }
    throw new UngreedyError(
      'UNG_ERR_PLUGIN_INVALID',
      `dataset "${choice['use']}" of plugin "${found.plugin.manifest.meta.name}" must describe its options without failing, but describe() threw. Fix the plugin.`,
      { plugin: found.plugin.manifest.meta.name, field: `datasets.${choice['use']}.describe` },
      { cause: err },
    );
  }
  return { issues: datasetIssues(config, description, choice['use']), modalities: description.modalities.length };
}

function definedOnly(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
