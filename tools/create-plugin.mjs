#!/usr/bin/env node
// Generates a new ungreedy strategy or dataset plugin package from tools/templates/: package.json,
// tsconfig, src/index.ts (the manifest), src/<id>.ts, its JSON Schema, a test, a README and a docs page.
//
//   node tools/create-plugin.mjs strategy my-method                 -> packages/strategy-my-method (@ungreedy/strategy-my-method)
//   node tools/create-plugin.mjs dataset toy --dir ../ungreedy-dataset-toy   -> a third-party package (ungreedy-dataset-toy)
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const templates = join(here, 'templates');
const repoRoot = resolve(here, '..');

const KINDS = { strategy: 'strategies', dataset: 'datasets' };
const CONFIG_KEY = { strategy: 'strategy', dataset: 'dataset' };

// Compiler options of tsconfig.base.json, for packages generated outside this repository.
const STANDALONE_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2023'],
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  verbatimModuleSyntax: true,
  types: ['node'],
};

/**
 * Writes a plugin package and returns `{ dir, name, files }`.
 * @param {{ kind: 'strategy' | 'dataset', id: string, dir?: string, name?: string, description?: string, force?: boolean, root?: string }} options
 *   `root` is the workspace root that decides the default folder (`<root>/packages/<kind>-<id>`).
 */
export function createPlugin(options) {
  const { kind, id } = options;
  if (!(kind in KINDS)) throw new Error(`create-plugin: kind must be "strategy" or "dataset", but got "${kind}".`);
  if (!/^[a-z][a-z0-9-]*$/.test(id ?? '')) {
    throw new Error(`create-plugin: id must be kebab-case (a-z, 0-9, -, starting with a letter), but got "${id}".`);
  }
  const root = options.root ?? repoRoot;
  const dir = resolve(options.dir ?? join(root, 'packages', `${kind}-${id}`));
  const inWorkspace = resolve(dirname(dir)) === resolve(root, 'packages');
  const name = options.name ?? (inWorkspace ? `@ungreedy/${kind}-${id}` : `ungreedy-${kind}-${id}`);
  const description = options.description ?? `The ${id} ${kind} for ungreedy.`;
  if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
    throw new Error(`create-plugin: ${dir} must be empty or absent, but it has files. Pass --force to write into it.`);
  }
  const camel = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
  const base = inWorkspace ? `  "extends": "${relative(dir, join(root, 'tsconfig.base.json'))}",\n` : '';
  const compilerOptions = inWorkspace
    ? '    "composite": false,\n    "declaration": false,\n    "declarationMap": false,\n'
    : Object.entries(STANDALONE_OPTIONS).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`).join('');
  const values = {
    __ID__: id,
    __NAME__: name,
    __CAMEL__: camel,
    __PASCAL__: camel[0].toUpperCase() + camel.slice(1),
    __KIND__: kind,
    __CONFIG_KEY__: CONFIG_KEY[kind],
    __DESCRIPTION__: description.replace(/"/g, '\\"'),
    __TSCONFIG_BASE__: base,
    __TSCONFIG_OPTIONS__: compilerOptions,
  };
  const fill = (text) => text.replace(/__[A-Z_]+__/g, (key) => values[key] ?? key);
  const files = [];
  for (const folder of ['common', kind]) {
    for (const file of walk(join(templates, folder))) {
      const target = join(dir, fill(relative(join(templates, folder), file)).replace(/\.tmpl$/, ''));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fill(readFileSync(file, 'utf8')));
      files.push(relative(dir, target));
    }
  }
  return { dir, name, files: files.sort() };
}

function walk(dir) {
  return readdirSync(dir).sort().flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

const USAGE = `Usage: node tools/create-plugin.mjs <strategy|dataset> <id> [--dir <folder>] [--name <package>] [--description <text>] [--force]

Without --dir the package goes to packages/<kind>-<id> as @ungreedy/<kind>-<id> (then run npm install at
the repository root). With --dir it is a standalone third-party package named ungreedy-<kind>-<id>.`;

function cli(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { dir: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [kind, id] = parsed.positionals;
  try {
    const out = createPlugin({ kind, id, ...parsed.values });
    console.log(`Created ${out.name} in ${relative(process.cwd(), out.dir) || '.'}:`);
    for (const f of out.files) console.log(`  ${f}`);
    console.log(`Next: cd ${relative(process.cwd(), out.dir) || '.'} && npm test`);
    return 0;
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
}

if (process.argv[1] !== undefined && basename(process.argv[1]) === 'create-plugin.mjs') process.exitCode = cli(process.argv.slice(2));
