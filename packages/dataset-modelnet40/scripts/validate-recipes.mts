// Validates the ModelNet40 recipes with `ungreedy validate` (core schema, plugins, every component's options).
// Prints {"file": exitCode, ...} as JSON on the last line; "no data" for a recipe whose only problem is a data
// root that is not there yet (validate checks it: packages/core/docs/validate.md).
//   node --conditions=ungreedy-development --import tsx scripts/validate-recipes.mts
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@ungreedy/core/app';

const recipes = join(dirname(fileURLToPath(import.meta.url)), '../../../recipes');
const result: Record<string, number | 'no data'> = {};
for (const name of (await readdir(recipes)).filter((f) => f.startsWith('modelnet40-')).sort()) {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), cwd: recipes, env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  const code = await main(['validate', name], io);
  const problems = lines.flatMap((l) => l.split('\n')).filter((l) => /^ {2}\//.test(l));
  const noData = code === 2 && problems.length === 1 && problems[0]!.startsWith('  /dataset/options/root: ');
  result[name] = noData ? 'no data' : code;
  if (code !== 0 && !noData) console.error(`${name}:\n${lines.join('\n')}`);
}
console.log(JSON.stringify(result));
