import { INPUT_ERROR_CODES, UngreedyError, isUngreedyError } from '../../contract/errors/errors.js';

/**
 * The lines the CLI prints for an error: `code: message` (UngreedyError messages already start with their
 * code), then one indented `Reason:` line per `cause` level (tsyringe's chain). With `stack`, the first
 * error's stack follows (UNGREEDY_LOG_LEVEL=debug).
 */
export function formatError(err: unknown, options: { stack?: boolean } = {}): string[] {
  const lines = [headline(err)];
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 1; cause !== undefined && depth <= 10; depth++) {
    lines.push(`${'  '.repeat(depth)}Reason: ${headline(cause).split('\n').join(`\n${'  '.repeat(depth + 1)}`)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (options.stack && err instanceof Error && err.stack) lines.push(err.stack);
  return lines;
}

function headline(err: unknown): string {
  if (err instanceof UngreedyError) return err.message;
  if (err instanceof Error) {
    const prefix = (err as NodeJS.ErrnoException).code ?? err.name;
    return err.message.startsWith(prefix) ? err.message : `${prefix}: ${err.message}`;
  }
  return String(err);
}

/** 2 for bad input (INPUT_ERROR_CODES), 1 for anything else. */
export function exitCodeFor(err: unknown): number {
  return isUngreedyError(err) && INPUT_ERROR_CODES.has(err.code) ? 2 : 1;
}
