import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { parseJsonText } from '../config/parse-data-text.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonValue } from '../../contract/util/json.js';
import { writeJsonAtomic } from '../../contract/util/atomic-write.js';
import type { MetricRecord, RunManifest, RunSummary } from './metric-records.js';
import type { RunStore } from './run-store.js';

/** File names inside a run folder. */
export const RUN_FILES = {
  config: 'config.resolved.json',
  manifest: 'manifest.json',
  metrics: 'metrics.jsonl',
  log: 'log.jsonl',
  summary: 'summary.json',
  checkpoints: 'checkpoints',
} as const;

/**
 * A run folder on disk. JSON files are replaced atomically (temp file, fsync, rename), so a crash leaves the
 * previous version, never a torn file. `metrics.jsonl` is append-only: a crash can at worst cut its last
 * line, which `readMetrics` skips.
 */
export class FileRunStore implements RunStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Opens an existing run folder; UNG_ERR_RUN_NOT_FOUND unless it has a manifest and a resolved config. */
  static open(dir: string): FileRunStore {
    const abs = resolve(dir);
    const missing = [RUN_FILES.manifest, RUN_FILES.config].filter((f) => !existsSync(join(abs, f)));
    if (missing.length > 0) {
      throw new UngreedyError(
        'UNG_ERR_RUN_NOT_FOUND',
        `run folder ${dir} must hold ${RUN_FILES.manifest} and ${RUN_FILES.config}, but it lacks ${missing.join(' and ')}. ` +
          'Fix: pass a folder that `ungreedy run` created (see the `output.dir` of the config).',
        { dir: abs, missing },
      );
    }
    return new FileRunStore(abs);
  }

  appendMetric(record: MetricRecord): void {
    appendFileSync(join(this.dir, RUN_FILES.metrics), `${JSON.stringify(record)}\n`);
  }

  metricsLength(): number {
    const file = join(this.dir, RUN_FILES.metrics);
    return existsSync(file) ? statSync(file).size : 0;
  }

  truncateMetrics(length: number): void {
    const file = join(this.dir, RUN_FILES.metrics);
    if (existsSync(file) && statSync(file).size > length) truncateSync(file, length);
  }

  readMetrics(): MetricRecord[] {
    const file = join(this.dir, RUN_FILES.metrics);
    if (!existsSync(file)) return [];
    const lines = readFileSync(file, 'utf8').split('\n');
    const out: MetricRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as MetricRecord);
      } catch (cause) {
        // Only the last line can be torn (a crash mid-append); anything else is corruption.
        if (i < lines.length - 2 || (i === lines.length - 2 && lines[lines.length - 1] !== '')) {
          throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `metrics file ${file} line ${i + 1} must be JSON, but it is not.`, { dir: this.dir, line: i + 1 }, { cause });
        }
      }
    });
    return out;
  }

  writeManifest(manifest: RunManifest): void {
    writeJsonAtomic(join(this.dir, RUN_FILES.manifest), manifest);
  }

  readManifest(): RunManifest {
    return this.readJson<RunManifest>(RUN_FILES.manifest);
  }

  /** Reads the manifest, applies `patch`, and writes it back atomically. */
  updateManifest(patch: Partial<RunManifest>): RunManifest {
    const next = { ...this.readManifest(), ...patch };
    this.writeManifest(next);
    return next;
  }

  writeSummary(summary: RunSummary): void {
    writeJsonAtomic(join(this.dir, RUN_FILES.summary), summary);
  }

  /** The summary, or undefined if the run has not ended. */
  readSummary(): RunSummary | undefined {
    return existsSync(join(this.dir, RUN_FILES.summary)) ? this.readJson<RunSummary>(RUN_FILES.summary) : undefined;
  }

  writeJson(relativePath: string, value: JsonValue | object): void {
    const file = this.inside(relativePath);
    mkdirSync(dirname(file), { recursive: true });
    writeJsonAtomic(file, value);
  }

  /** Reads a JSON file of the run folder. */
  readJson<T = unknown>(relativePath: string): T {
    const file = this.inside(relativePath);
    if (!existsSync(file)) {
      throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', `run folder ${this.dir} must hold ${relativePath}, but it does not.`, { dir: this.dir, file });
    }
    // A torn or malformed file is UNG_ERR_RUN_FILE_CORRUPT naming it (config/parse-data-text.ts), not a raw SyntaxError.
    return parseJsonText(readFileSync(file, 'utf8'), file, { code: 'UNG_ERR_RUN_FILE_CORRUPT', what: 'run file' }) as T;
  }

  checkpointDir(name: string): string {
    const dir = this.inside(join(RUN_FILES.checkpoints, name));
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private inside(relativePath: string): string {
    const file = resolve(this.dir, relativePath);
    const rel = relative(this.dir, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new RangeError(`run store path must stay inside ${this.dir}, but got ${relativePath}.`);
    }
    return file;
  }
}
