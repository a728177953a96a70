import type { Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { loadPlugins } from '../plugin/load-plugins.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { BackendName, ExperimentConfig } from './experiment-config.js';
import { configInvalidError } from './format-issues.js';
import { loadConfigFile } from './load-config-file.js';
import { outputPathIssues } from '../run/output-path-issues.js';
import { checkComponents, checkCoreConfig } from './validate-config.js';

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

/** The same as {@link loadExperiment} for a config already in memory. */
export async function resolveExperiment(raw: unknown, options: ResolveExperimentOptions): Promise<LoadedExperiment> {
  const input = isPlainObject(raw) ? { ...raw, ...definedOnly(options.overrides ?? {}) } : raw;
  const { config, issues } = checkCoreConfig(input);
  const plugins = config['plugins'];
  const pluginsOk = !issues.some((i) => i.pointer === '/plugins' || i.pointer.startsWith('/plugins/'));
  const registry = await loadPlugins({
    specifiers: pluginsOk && Array.isArray(plugins) ? (plugins as string[]) : [],
    configDir: options.configDir,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  issues.push(...checkComponents(config, registry));
  issues.push(...outputPathIssues(config, options.configDir));
  if (issues.length > 0) throw configInvalidError(options.file, issues);
  return { config: config as unknown as ExperimentConfig, file: options.file, configDir: options.configDir, registry };
}

function definedOnly(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
