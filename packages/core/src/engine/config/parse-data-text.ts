import { parseDocument } from 'yaml';
import { UngreedyError, type ErrorCode } from '../../contract/errors/errors.js';
import { displayPath } from './format-issues.js';

/**
 * Objects and arrays nested deeper than this are refused before they are parsed or walked: the readers
 * (defaults, deep merge, schema checks) recurse, and a 20,000-deep file would otherwise end in a raw
 * RangeError. No config or run file comes near it (docs/errors.md UNG_ERR_CONFIG_PARSE).
 */
export const MAX_NESTING_DEPTH = 64;

/** YAML aliases (`*name`) expanded at most; more is an alias bomb (the `yaml` package's maxAliasCount). */
export const MAX_YAML_ALIASES = 100;

const BOM = '\uFEFF';

/** Text without a leading UTF-8 byte-order mark (editors on Windows write one; JSON.parse refuses it). */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

interface ParseOptions {
  /** The error code for a malformed file: UNG_ERR_CONFIG_PARSE for configs, UNG_ERR_RUN_FILE_CORRUPT for run files. */
  readonly code?: ErrorCode;
  /** What the file is, for messages: `config file`, `run manifest`. */
  readonly what?: string;
}

/**
 * Parses JSON text with the reader's guards: BOM accepted, nesting limited to MAX_NESTING_DEPTH, and every
 * syntax error a coded error with the file, line and column.
 */
export function parseJsonText(text: string, file: string, options: ParseOptions = {}): unknown {
  const { code = 'UNG_ERR_CONFIG_PARSE', what = 'config file' } = options;
  const body = stripBom(text);
  const deep = jsonDepthOffset(body, MAX_NESTING_DEPTH);
  if (deep !== undefined) {
    const { line, column } = lineColumn(body, deep);
    throw new UngreedyError(
      code,
      `${what} ${displayPath(file)} must nest objects and arrays at most ${MAX_NESTING_DEPTH} deep, but goes deeper at line ${line}, column ${column}. Fix the file.`,
      { file, line, column, limit: MAX_NESTING_DEPTH },
    );
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    const { line, column } = jsonErrorPosition(body, cause);
    const torn = body.trim() === '' ? 'it is empty' : `got a syntax error at line ${line ?? '?'}, column ${column ?? '?'}: ${(cause as Error).message}`;
    throw new UngreedyError(code, `${what} ${displayPath(file)} must be valid JSON, but ${torn}.`, { file, line, column }, { cause });
  }
}

/** Parses YAML 1.2 text with the same guards as {@link parseJsonText}, plus the alias limit. */
export function parseYamlText(text: string, file: string, options: ParseOptions = {}): unknown {
  const { code = 'UNG_ERR_CONFIG_PARSE', what = 'config file' } = options;
  const doc = parseDocument(stripBom(text), { prettyErrors: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line;
    const column = err.linePos?.[0].col;
    throw new UngreedyError(
      code,
      `${what} ${displayPath(file)} must be valid YAML, but got a syntax error at line ${line ?? '?'}, column ${column ?? '?'}: ${err.message.split('\n')[0]}.`,
      { file, line, column },
      { cause: err },
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (cause) {
    if (cause instanceof ReferenceError && /alias/i.test(cause.message)) {
      throw new UngreedyError(
        code,
        `${what} ${displayPath(file)} must expand at most ${MAX_YAML_ALIASES} YAML aliases, but expands more (an alias bomb). Write the values out.`,
        { file, limit: MAX_YAML_ALIASES },
        { cause },
      );
    }
    throw new UngreedyError(code, `${what} ${displayPath(file)} must be valid YAML, but it could not be read.`, { file }, { cause });
  }
  const depth = valueDepthExceeds(value, MAX_NESTING_DEPTH);
  if (depth) {
    throw new UngreedyError(
      code,
      `${what} ${displayPath(file)} must nest mappings and sequences at most ${MAX_NESTING_DEPTH} deep, but goes deeper. Fix the file.`,
      { file, limit: MAX_NESTING_DEPTH },
    );
  }
  return value;
}

/** The offset of the first `{` or `[` that opens level `limit + 1`, or undefined; strings are skipped. */
export function jsonDepthOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/** Whether a parsed value nests deeper than `limit` (iterative: the check itself cannot overflow the stack). */
function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    if (d + 1 > limit) return true;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function jsonErrorPosition(text: string, err: unknown): { line?: number; column?: number } {
  const message = err instanceof Error ? err.message : '';
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // Node 20 leaves the position out of some messages; find it by scanning.
  const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
  if (offset === undefined) return {};
  return lineColumn(text, offset);
}

/** Offset of the first JSON syntax error (a small recursive-descent scanner), or undefined if none. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  class At extends Error {}
  const fail = (): never => {
    throw new At();
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof At) return i;
    throw e;
  }
}
