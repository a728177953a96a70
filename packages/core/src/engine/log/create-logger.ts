import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, destination, multistream, stdTimeFunctions, type DestinationStream, type LevelWithSilent, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../../contract/log/logger.js';

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface CreateLoggerOptions {
  /** Level of the terminal output. Default: `UNGREEDY_LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /**
   * Level of the file. Default: `info`, or `level` when that is more verbose: a run folder's log stays
   * complete even when the terminal is quiet (`UNGREEDY_LOG_LEVEL=silent`).
   */
  readonly fileLevel?: string;
  /** A JSON-lines file to write too (a run's `log.jsonl`); created with its folder. */
  readonly file?: string;
  /**
   * What goes to the terminal (stderr): `auto` = readable lines (pino-pretty) when stderr is a TTY, JSON lines
   * otherwise; `none` = nothing (the file only). Default `auto`.
   */
  readonly console?: 'auto' | 'pretty' | 'json' | 'none';
  /** Fields bound to every line, e.g. `{ run }`. */
  readonly bindings?: Record<string, unknown>;
  /** Replaces stderr as the console stream (tests). */
  readonly consoleStream?: DestinationStream;
}

/** A logger and how to release its file. */
export interface LoggerHandle {
  readonly log: Logger;
  /** Flushes and closes the file destination (the console stays open). */
  close(): void;
}

/** The log level from `UNGREEDY_LOG_LEVEL` (or `fallback`), checked against pino's levels. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: LevelWithSilent = 'info'): LevelWithSilent {
  const value = env['UNGREEDY_LOG_LEVEL']?.trim().toLowerCase();
  return value !== undefined && (LEVELS as readonly string[]).includes(value) ? (value as LevelWithSilent) : fallback;
}

/**
 * The pino factory (STYLE.md H14): JSON lines to `file` (the run folder's `log.jsonl`), readable lines on a
 * terminal. Writes are synchronous so that a crash loses no line that was logged before it.
 *
 * @example
 * const { log, close } = createLogger({ file: join(runDir, 'log.jsonl'), bindings: { run: runId } });
 * log.info({ epoch, acc }, 'epoch end');
 */
export function createLogger(options: CreateLoggerOptions = {}): LoggerHandle {
  const level = isLevel(options.level) ? options.level : logLevelFromEnv();
  const streams: StreamEntry<LevelWithSilent>[] = [];
  let file: ReturnType<typeof destination> | undefined;
  let fileFailed = false;
  if (options.file !== undefined) {
    mkdirSync(dirname(options.file), { recursive: true });
    file = destination({ dest: options.file, sync: true, append: true });
    // The log file is a record, not the run: a full or read-only disk (ENOSPC, EROFS) must neither throw out of a
    // log call nor hang close(), whose flushSync retries a failed write forever (packages/core/docs/faults.md).
    file.on('error', () => {
      fileFailed = true;
    });
    const fileLevel = isLevel(options.fileLevel) ? options.fileLevel : moreVerbose(level, 'info');
    streams.push({ level: fileLevel, stream: file });
  }
  const mode = options.console ?? 'auto';
  if (mode !== 'none') {
    const usePretty = mode === 'pretty' || (mode === 'auto' && options.consoleStream === undefined && process.stderr.isTTY === true);
    const target = options.consoleStream ?? destination({ dest: 2, sync: true });
    const stream = usePretty
      ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' })
      : target;
    streams.push({ level, stream });
  }
  const lowest = streams.reduce<LevelWithSilent>((a, b) => moreVerbose(a, b.level as LevelWithSilent), 'silent');
  const log = pino(
    { level: lowest, base: { ...options.bindings }, timestamp: stdTimeFunctions.isoTime },
    multistream(streams),
  );
  return {
    log,
    close() {
      if (file !== undefined) {
        if (fileFailed) file.destroy();
        else {
          file.flushSync();
          file.end();
        }
        file = undefined;
      }
    },
  };
}

function isLevel(value: string | undefined): value is LevelWithSilent {
  return value !== undefined && (LEVELS as readonly string[]).includes(value);
}

/** The more verbose of two levels (`debug` over `info`; anything over `silent`). */
function moreVerbose(a: LevelWithSilent, b: LevelWithSilent): LevelWithSilent {
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? (a === 'silent' ? b : a) : b === 'silent' ? a : b;
}
