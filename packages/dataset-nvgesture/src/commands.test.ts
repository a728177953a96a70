import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isUngreedyError } from '@ungreedy/core';
import type { CommandContext } from '@ungreedy/core';
import { runCommand } from '@ungreedy/core/testing';
import plugin from './index.js';
import { cacheFolder, readManifest } from './clip-cache.js';
import { findListFiles, readList } from './list-file.js';
import { silentLog, tempDir } from './test-fixtures/fixtures.js';

function context(cwd: string): Omit<CommandContext, 'args'> & { lines: string[] } {
  const lines: string[] = [];
  return { log: silentLog, cwd, print: (l) => lines.push(l), lines };
}

describe('commands', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it('make/nvgesture-mini then prepare/nvgesture, from their command lines', async () => {
    const ctx = context(dir);
    const make = plugin.commands['make/nvgesture-mini'];
    const args = ['--out', 'mini', '--classes', '2', '--per-class-train', '1', '--per-class-test', '1', '--size', '24x16', '--frames', '6'];
    assert.equal(await runCommand(make, 'datasets make nvgesture-mini', [...args, '--noisy', 'rgb', '--noise', '0.2', '--codec', 'ffv1'], ctx), 0);
    const lists = findListFiles(join(dir, 'mini'));
    assert.equal((await readList(lists.train, 25)).length, 2);
    const prepare = plugin.commands['prepare/nvgesture'];
    assert.equal(await runCommand(prepare, 'prepare nvgesture', ['mini', '--out', 'cache', '--size', '16x12', '--frames', '4', '--concurrency', '2'], ctx), 0);
    const manifest = await readManifest(cacheFolder(join(dir, 'cache'), { width: 16, height: 12, frames: 4 }));
    assert.equal(manifest?.splits.test.length, 2);
    assert.ok(ctx.lines.some((l) => l.startsWith('ffmpeg: ')));
    assert.ok(ctx.lines.includes('clips: 8 decoded, 0 already cached, 8 in all'));
  });

  it('prepare/nvgesture stops on Ctrl-C (SIGINT) with exit code 130 and a resume hint', async () => {
    const ctx = context(dir);
    const make = plugin.commands['make/nvgesture-mini'];
    const args = ['--out', 'mini-int', '--classes', '2', '--per-class-train', '1', '--per-class-test', '1', '--size', '24x16', '--frames', '6'];
    assert.equal(await runCommand(make, 'datasets make nvgesture-mini', args, ctx), 0);
    const prepare = plugin.commands['prepare/nvgesture'];
    // The listener the command installs is what a real Ctrl-C calls; emit it once the first clips are in ffmpeg.
    setImmediate(() => process.emit('SIGINT'));
    const code = await runCommand(prepare, 'prepare nvgesture', ['mini-int', '--out', 'cache-int', '--size', '16x12', '--frames', '4', '--concurrency', '1'], ctx);
    assert.equal(code, 130);
    assert.ok(ctx.lines.includes('interrupted: run the same command again to resume'));
    assert.equal(process.listenerCount('SIGINT'), 0);
  });

  it('prints its usage on --help', async () => {
    for (const id of ['prepare/nvgesture', 'make/nvgesture-mini'] as const) {
      const ctx = context(dir);
      assert.equal(await runCommand(plugin.commands[id], id, ['--help'], ctx), 0);
      assert.match(ctx.lines[0]!, /^Usage: ungreedy /);
    }
  });

  const usage: Array<[string, string, string[]]> = [
    ['prepare without --out', 'prepare/nvgesture', ['root']],
    ['prepare with a bad size', 'prepare/nvgesture', ['root', '--out', 'c', '--size', '160by120']],
    ['prepare with an unknown sensor', 'prepare/nvgesture', ['root', '--out', 'c', '--sensors', 'sk_color,thermal']],
    ['prepare with an unknown flag', 'prepare/nvgesture', ['root', '--out', 'c', '--fast']],
    ['make with a bad --noisy', 'make/nvgesture-mini', ['--out', 'x', '--noisy', 'audio']],
    ['make with 30 classes', 'make/nvgesture-mini', ['--out', 'x', '--classes', '30']],
    ['make with an odd size', 'make/nvgesture-mini', ['--out', 'x', '--size', '33x24']],
  ];
  for (const [what, id, args] of usage) {
    it(`rejects ${what} as a usage error`, async () => {
      const cmd = plugin.commands[id as keyof typeof plugin.commands];
      await assert.rejects(runCommand(cmd, id, args, context(dir)), (e: unknown) => isUngreedyError(e, 'UNG_ERR_CLI_USAGE'));
    });
  }
});
