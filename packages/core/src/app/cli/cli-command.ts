import type { Logger } from '../../contract/log/logger.js';

/** Where a command writes and what it knows about its environment (replaced in tests). */
export interface CliIo {
  /** A line for the user (stdout): results, tables, where the run folder is. */
  out(line: string): void;
  /** A line for diagnostics (stderr): errors, warnings. */
  err(line: string): void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress bars, pretty logs). */
  readonly isTTY: boolean;
}

export interface CliContext extends CliIo {
  /** Process-wide logger (stderr); runs get their own, writing to the run folder too. */
  readonly log: Logger;
}

/**
 * One `ungreedy <name>` command; one file per command in `cli/commands/`, listed in the sorted map of
 * `cli/commands/index.ts`. `run` returns the exit code (0 ok, 1 failed, 2 bad input, 130 interrupted);
 * it may also throw, and `main` maps UngreedyError codes to exit codes.
 */
export interface CliCommand {
  /** One line for `ungreedy --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  /** The command parses `--help` itself (it forwards arguments to plugin commands). */
  readonly ownHelp?: boolean;
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}
