import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isUngreedyError, type CommandContext } from '@ungreedy/core';
import { runCommand } from '@ungreedy/core/testing';
import { makeMiniCommand, prepareCommand } from './commands.js';
import { removeDir, silentLog, tempDir } from './test-fixtures/helpers.js';

let work: string;
let printed: string[];
let ctx: Omit<CommandContext, 'args'>;
before(async () => {
  work = await tempDir();
  printed = [];
  ctx = { log: silentLog, cwd: work, print: (line) => printed.push(line) };
});
after(() => removeDir(work));

test('datasets make modelnet40-mini writes both layouts from command-line options (relative to cwd)', async () => {
  const code = await runCommand(makeMiniCommand, 'datasets make modelnet40-mini', 
    ['--out', 'mini', '--classes', '2', '--per-class-train', '2', '--per-class-test', '1', '--size', '8', '--views', '0,6', '--hard-view', '6', '--noise', '0.2'],
    ctx,
  );
  assert.equal(code, 0);
  assert.deepEqual((await readdir(join(work, 'mini'))).sort(), ['mvcnn', 'off']);
  assert.deepEqual((await readdir(join(work, 'mini', 'mvcnn', 'bottle', 'train'))).sort(), [
    'bottle_0001.obj.shaded_v001.png',
    'bottle_0001.obj.shaded_v007.png',
    'bottle_0002.obj.shaded_v001.png',
    'bottle_0002.obj.shaded_v007.png',
  ]);
  assert.ok(printed.some((l) => l.includes('bottle, bowl')));
});

test('prepare modelnet40 renders an OFF tree into a new MVCNN tree', async () => {
  const code = await runCommand(prepareCommand, 'prepare modelnet40', ['--from-off', 'mini/off', '--out', 'renders', '--size', '8', '--views', '3'], ctx);
  assert.equal(code, 0);
  assert.deepEqual((await readdir(join(work, 'renders', 'bowl', 'test'))).sort(), ['bowl_0003.obj.shaded_v004.png']);
});

test('--help prints the usage and exits 0', async () => {
  printed.length = 0;
  assert.equal(await runCommand(makeMiniCommand, 'datasets make modelnet40-mini', ['--help'], ctx), 0);
  assert.equal(await runCommand(prepareCommand, 'prepare modelnet40', ['-h'], ctx), 0);
  assert.ok(printed[0]!.startsWith('Usage: ungreedy datasets make modelnet40-mini'));
  assert.ok(printed.some((l) => l.startsWith('Usage: ungreedy prepare modelnet40')));
});

test('bad command lines are UNG_ERR_CLI_USAGE', async () => {
  const usage = (err: unknown) => isUngreedyError(err, 'UNG_ERR_CLI_USAGE');
  await assert.rejects(runCommand(makeMiniCommand, 'datasets make modelnet40-mini', ['--classes', '3'], ctx), usage);
  await assert.rejects(runCommand(makeMiniCommand, 'datasets make modelnet40-mini', ['--out', 'x', '--bogus'], ctx), usage);
  await assert.rejects(runCommand(makeMiniCommand, 'datasets make modelnet40-mini', ['--out', 'x', '--size', 'big'], ctx), usage);
  await assert.rejects(runCommand(prepareCommand, 'prepare modelnet40', ['--from-off', 'mini/off', '--out', 'r2', '--views', '0,12'], ctx), usage);
  await assert.rejects(runCommand(prepareCommand, 'prepare modelnet40', ['--from-off', 'mini/off', '--out', 'r2', '--on-bad', 'ignore'], ctx), usage);
});
