// recipes/zoo.yaml and recipes/zoo-modelnet40.yaml stay valid and keep a row for every shipped strategy package
// (README "The zoo", packages/core/docs/methods.md): a new packages/strategy-<id> without a zoo row fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..', '..');
const strategyIds = readdirSync(join(repo, 'packages')).filter((d) => d.startsWith('strategy-')).map((d) => d.slice('strategy-'.length)).sort();

function cli(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), cwd: repo, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false }, out, err };
}

/**
 * The ModelNet zoo validates against its data (validate reads the data root's listing), which a fresh clone does
 * not have: where `data/modelnet40-quickstart` is missing, make it as the recipe's header says, into a temp folder
 * under node_modules/.cache (inside the repository, so the recipe's plugins still resolve), and validate a copy of
 * the recipe whose data root points there.
 */
async function withModelNetData(): Promise<{ recipe: string; cleanup: () => void }> {
  if (existsSync(join(repo, 'data', 'modelnet40-quickstart', 'mvcnn'))) return { recipe: join('recipes', 'zoo-modelnet40.yaml'), cleanup: () => {} };
  mkdirSync(join(repo, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(repo, 'node_modules', '.cache', 'ungreedy-zoo-test-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  {
    const make = cli();
    const args = ['--classes', '12', '--views', '0,6', '--hard-view', '6', '--noise', '0.4', '--occlusion', '0.6', '--contrast', '0.5', '--per-class-train', '40', '--per-class-test', '20'];
    const code = await main(['datasets', 'make', 'modelnet40-mini', '--out', join(dir, 'data'), ...args], make.io);
    if (code !== 0) {
      cleanup();
      assert.fail(`datasets make modelnet40-mini exited ${code}: ${make.err.join('\n')}`);
    }
    const text = readFileSync(join(repo, 'recipes', 'zoo-modelnet40.yaml'), 'utf8');
    const patched = text.replace('root: ../data/modelnet40-quickstart/mvcnn', `root: ${JSON.stringify(join(dir, 'data', 'mvcnn'))}`);
    assert.notEqual(patched, text, 'recipes/zoo-modelnet40.yaml should name its data root ../data/modelnet40-quickstart/mvcnn');
    const recipe = join(dir, 'zoo-modelnet40.yaml');
    writeFileSync(recipe, patched);
    return { recipe, cleanup };
  }
}

for (const name of ['zoo.yaml', 'zoo-modelnet40.yaml']) {
  test(`recipes/${name} validates: 36 runs, vanilla, both uni-modal baselines and a row per shipped strategy`, async () => {
    const { recipe, cleanup } = name === 'zoo.yaml' ? { recipe: join('recipes', name), cleanup: () => {} } : await withModelNetData();
    try {
      const run = cli();
      assert.equal(await main(['validate', recipe], run.io), 0, run.err.join('\n'));
      const summary = run.out.join('\n');
      assert.match(summary, /is a valid compare config/);
      assert.match(summary, /36 runs: /);
      const rows = /rows ([^;]+);/.exec(summary)?.[1]?.split(', ') ?? [];
      assert.deepEqual(rows.filter((r) => r.startsWith('unimodal-')), ['unimodal-m0', 'unimodal-m1']);
      assert.ok(rows.includes('vanilla'), summary);
      assert.deepEqual(strategyIds.filter((id) => !rows.includes(id)), [], `rows without a shipped strategy: ${summary}`);
    } finally {
      cleanup();
    }
  });
}
