import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UngreedyError } from '../../contract/errors/errors.js';
import { codedFsError } from '../util/fs-error.js';
import { displayPath } from './format-issues.js';
import { jsonErrorOffset, parseJsonText, parseYamlText } from './parse-data-text.js';

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
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw codedFsError(err, file, 'read config file');
    throw new UngreedyError(
      'UNG_ERR_CONFIG_NOT_FOUND',
      `config file ${displayPath(file)} must exist, but it does not. Fix the path, or create one with \`ungreedy init ${path}\`.`,
      { file },
    );
  }
  if (!stats.isFile()) {
    throw new UngreedyError(
      'UNG_ERR_FS_IS_FOLDER',
      `config file ${displayPath(file)} must be a file, but it is a ${stats.isDirectory() ? 'folder' : 'special file'}. Name the config file inside it.`,
      { path: file, errno: 'EISDIR' },
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw codedFsError(err, file, 'read config file');
  }
  return { file, dir, raw: parseConfigText(text, file) };
}

/** Parses config text as YAML (for .yaml/.yml) or JSON (anything else), with the guards of parse-data-text.ts. */
export function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? parseYamlText(text, file) : parseJsonText(text, file);
}

export { jsonErrorOffset };
