// Validates the ModelNet40 recipes with `ungreedy validate` (core schema, plugins, every component's options).
// Prints {"file": exitCode, ...} as JSON on the last line.
//   node --conditions=ungreedy-development --import tsx scripts/validate-recipes.mts
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@ungreedy/core';

const recipes = join(dirname(fileURLToPath(import.meta.url)), '../../../recipes');
const result: Record<string, number> = {};
for (const name of (await readdir(recipes)).filter((f) => f.startsWith('modelnet40-')).sort()) {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), cwd: recipes, env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  result[name] = await main(['validate', name], io);
  if (result[name] !== 0) console.error(`${name}:\n${lines.join('\n')}`);
}
console.log(JSON.stringify(result));
