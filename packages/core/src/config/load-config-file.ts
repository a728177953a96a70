import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { UngreedyError } from '../errors.js';
import { displayPath } from './format-issues.js';

/** A config file as read from disk, before validation. */
export interface ConfigFile {
  /** Absolute path. */
  readonly file: string;
  /** Its folder: plugin paths, `output.dir` and dataset paths are relative to it. */
  readonly dir: string;
  readonly raw: unknown;
}

/**
 * Reads a config: `.json` (JSON), `.yaml` / `.yml` (YAML 1.2), or `.js` / `.mjs` / `.ts` (a module whose
 * default export is the config, typically `defineConfig({...})`; `.ts` needs a TypeScript loader such as tsx).
 * Syntax errors are UNG_ERR_CONFIG_PARSE with the line and column.
 */
export async function loadConfigFile(path: string, cwd: string = process.cwd()): Promise<ConfigFile> {
  const file = resolve(cwd, path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UngreedyError(
      'UNG_ERR_CONFIG_NOT_FOUND',
      `config file ${displayPath(file)} must exist, but it does not. Fix the path, or create one with \`ungreedy init ${path}\`.`,
      { file },
    );
  }
  const ext = extname(file).toLowerCase();
  const dir = dirname(file);
  if (ext === '.js' || ext === '.mjs' || ext === '.ts' || ext === '.mts') {
    try {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      return { file, dir, raw: module.default };
    } catch (cause) {
      throw new UngreedyError('UNG_ERR_CONFIG_PARSE', `config module ${displayPath(file)} must import cleanly, but it threw.`, { file }, { cause });
    }
  }
  return { file, dir, raw: parseConfigText(readFileSync(file, 'utf8'), file) };
}

/** Parses config text as YAML (for .yaml/.yml) or JSON (anything else). */
export function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const doc = parseDocument(text, { prettyErrors: true });
    const err = doc.errors[0];
    if (err !== undefined) {
      const line = err.linePos?.[0].line;
      const column = err.linePos?.[0].col;
      throw new UngreedyError(
        'UNG_ERR_CONFIG_PARSE',
        `config file ${displayPath(file)} must be valid YAML, but got a syntax error at line ${line ?? '?'}, column ${column ?? '?'}: ${err.message.split('\n')[0]}.`,
        { file, line, column },
        { cause: err },
      );
    }
    return doc.toJS();
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const { line, column } = jsonErrorPosition(text, cause);
    throw new UngreedyError(
      'UNG_ERR_CONFIG_PARSE',
      `config file ${displayPath(file)} must be valid JSON, but got a syntax error at line ${line ?? '?'}, column ${column ?? '?'}: ${(cause as Error).message}.`,
      { file, line, column },
      { cause },
    );
  }
}

function jsonErrorPosition(text: string, err: unknown): { line?: number; column?: number } {
  const message = err instanceof Error ? err.message : '';
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // Node 20 leaves the position out of some messages; find it by scanning.
  const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
  if (offset === undefined) return {};
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
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
