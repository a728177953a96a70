// recipes/zoo.yaml and recipes/zoo-modelnet40.yaml stay valid and keep a row for every shipped strategy package
// (README "The zoo", packages/core/docs/methods.md): a new packages/strategy-<id> without a zoo row fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../cli/cli-command.js';
import { main } from '../cli/main.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..', '..');
const strategyIds = readdirSync(join(repo, 'packages')).filter((d) => d.startsWith('strategy-')).map((d) => d.slice('strategy-'.length)).sort();

for (const recipe of ['zoo.yaml', 'zoo-modelnet40.yaml']) {
  test(`recipes/${recipe} validates: 36 runs, vanilla, both uni-modal baselines and a row per shipped strategy`, async () => {
    const outLines: string[] = [];
    const errLines: string[] = [];
    const io: CliIo = { out: (l) => outLines.push(l), err: (l) => errLines.push(l), cwd: repo, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
    assert.equal(await main(['validate', join('recipes', recipe)], io), 0, errLines.join('\n'));
    const summary = outLines.join('\n');
    assert.match(summary, /is a valid compare config/);
    assert.match(summary, /36 runs: /);
    const rows = /rows ([^;]+);/.exec(summary)?.[1]?.split(', ') ?? [];
    assert.deepEqual(rows.filter((r) => r.startsWith('unimodal-')), ['unimodal-m0', 'unimodal-m1']);
    assert.ok(rows.includes('vanilla'), summary);
    assert.deepEqual(strategyIds.filter((id) => !rows.includes(id)), [], `rows without a shipped strategy: ${summary}`);
  });
}
