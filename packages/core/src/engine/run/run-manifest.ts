import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { BackendInfo } from '../backend/backend-info.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { Clock } from '../util/clock.js';
import type { RunManifest } from './metric-records.js';

let coreVersion: string | undefined;

/** The installed `@ungreedy/core` package version (not the API version plugins declare against). */
export function corePackageVersion(): string {
  // src/run/ and dist/run/ are both two levels below package.json.
  coreVersion ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return coreVersion;
}

/** The commit checked out in `dir`'s git work tree (with `-dirty` when it has changes), or null. */
export function gitCommit(dir: string): string | null {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return null;
  }
}

export interface CreateRunManifestOptions {
  readonly runId: string;
  readonly config: ExperimentConfig;
  readonly registry: PluginRegistry;
  readonly backend: Pick<BackendInfo, 'name' | 'reason'>;
  readonly clock: Clock;
  readonly configFile: string;
  readonly configDir: string;
}

/** The manifest of a run that is starting: versions, backend and why, host, Node, git commit, seed. */
export function createRunManifest(options: CreateRunManifestOptions): RunManifest {
  return {
    runId: options.runId,
    status: 'running',
    core: corePackageVersion(),
    plugins: options.registry.plugins.map((p) => ({
      name: p.manifest.meta.name,
      version: p.manifest.meta.version,
      source: p.resolvedFrom,
    })),
    backend: { name: options.backend.name, reason: options.backend.reason },
    node: process.version,
    gitCommit: gitCommit(options.configDir),
    seed: options.config.seed,
    host: hostname(),
    startedAt: options.clock.isoNow(),
    endedAt: null,
    resumedAt: [],
    dataset: {},
    config: { file: options.configFile, dir: options.configDir },
    error: null,
  };
}
