import { relative, isAbsolute } from 'node:path';
import { UngreedyError } from '../../contract/errors/errors.js';

/** One problem in a config: where (RFC 6901 JSON pointer), what was expected, the bad value, a suggestion. */
export interface ConfigIssue {
  /** JSON pointer into the config file, e.g. `/strategy/options/alpha`; `` for the whole file. */
  readonly pointer: string;
  /** The expectation, and the actual value where it helps: `must be <= 1, but got 2.5`. */
  readonly message: string;
  readonly value?: unknown;
  /** The nearest valid id or key, for "Did you mean ...?". */
  readonly suggestion?: string;
}

/** One line per issue, as STYLE.md H6: `  /pointer: message. Did you mean "x"?` */
export function formatIssue(issue: ConfigIssue): string {
  const hint = issue.suggestion === undefined ? '' : ` Did you mean "${issue.suggestion}"?`;
  return `  ${issue.pointer === '' ? '/' : issue.pointer}: ${issue.message}.${hint}`;
}

/** `<file> has N problems` and one line per issue. */
export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  const head = `${displayPath(file)} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  return [head, ...issues.map(formatIssue)].join('\n');
}

/** The UNG_ERR_CONFIG_INVALID error for a list of issues; `data` is `{ file, issues }`. */
export function configInvalidError(file: string, issues: readonly ConfigIssue[]): UngreedyError {
  return new UngreedyError('UNG_ERR_CONFIG_INVALID', formatIssues(file, issues), { file, issues });
}

/** A path relative to the working directory when it is below it, else as given. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** A short JSON rendering of a value for messages. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON.stringify writes NaN and ±Infinity (YAML `.nan`, `.inf`) as null, which would hide the problem.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
