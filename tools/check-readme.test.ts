// The README's quickstart tables and its zoo table are the shipped result files (tools/check-quickstart-table.mjs), and the quickstart
// a user runs produces those files (checked after `npm start` by tools/check-front-door.sh in CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs tool script without type declarations
import { SHIPPED, ZOO_SHIPPED, readmeTable, readmeZooBlock, tableOf, zooBlockOf } from './check-quickstart-table.mjs';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

for (const kernels of ['native', 'wasm'] as const) {
  test(`the README's ${kernels} quickstart table is recipes/results' ${kernels} table`, () => {
    const shipped = tableOf(readFileSync((SHIPPED as Record<string, string>)[kernels]!, 'utf8')) as string | undefined;
    assert.ok(shipped !== undefined && shipped.split('\n').length >= 7, `no table in ${(SHIPPED as Record<string, string>)[kernels]}`);
    assert.equal(readmeTable(readme, kernels), shipped);
  });
}

test("the README's zoo table and method quantities are recipes/results/zoo-results.md's", () => {
  const shipped = zooBlockOf(readFileSync(ZOO_SHIPPED as string, 'utf8')) as string | undefined;
  // 12 rows (best uni-modal, vanilla, guided, random, RUBi and the six packages) plus header and rule.
  assert.ok(shipped !== undefined && shipped.split('\n').filter((l) => l.startsWith('| ')).length >= 12, `no zoo table in ${ZOO_SHIPPED as string}`);
  assert.match(shipped, /Strategy metrics \(last epoch/);
  assert.equal(readmeZooBlock(readme), shipped);
});
