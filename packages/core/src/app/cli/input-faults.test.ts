import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'ungreedy-input-faults-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const mainModule = new URL('./main.ts', import.meta.url).href;
// Resolved here: the child runs in a temp folder, where a bare 'tsx' would not be found.
const tsx = import.meta.resolve('tsx');

/** `ungreedy <args>` in a real child process (sources through tsx), as a user runs it. */
function ungreedy(args: string[]): { status: number | null; stderr: string } {
  const script = `import { main } from ${JSON.stringify(mainModule)}; process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', tsx, '--input-type=module', '-e', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

test('config faults exit 2 with a coded first line and no run folder: a folder, a torn file, an alias bomb, deep nesting, .inf', () => {
  mkdirSync(join(dir, 'experiments'));
  const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  writeFileSync(join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
  writeFileSync(join(dir, 'torn.json'), '{"dataset": {"use": "colored-mn');
  writeFileSync(join(dir, 'deep.json'), `${'['.repeat(20000)}${']'.repeat(20000)}`);
  writeFileSync(join(dir, 'inf.yaml'), 'dataset: { use: x }\nmodel: { encoders: [{ use: cnn }] }\ntrain: { epochs: 1e12, optimizer: { type: sgd, lr: .inf } }\n');
  const cases: [string, string, string][] = [
    ['validate', 'experiments', 'UNG_ERR_FS_IS_FOLDER'],
    ['run', 'experiments', 'UNG_ERR_FS_IS_FOLDER'],
    ['validate', 'bomb.yaml', 'UNG_ERR_CONFIG_PARSE'],
    ['validate', 'torn.json', 'UNG_ERR_CONFIG_PARSE'],
    ['run', 'deep.json', 'UNG_ERR_CONFIG_PARSE'],
    ['run', 'inf.yaml', 'UNG_ERR_CONFIG_INVALID'],
  ];
  for (const [command, file, code] of cases) {
    const r = ungreedy([command, file]);
    assert.equal(r.status, 2, `${command} ${file}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`${code}: `), `${command} ${file}: ${r.stderr}`);
    // The raw error may follow as a Reason: line; it never leads.
    assert.doesNotMatch(r.stderr.split('\n')[0]!, /RangeError|ReferenceError|SyntaxError: Unexpected/);
  }
  assert.deepEqual(readdirSync(dir).filter((n) => n !== 'torn-run').sort(), ['bomb.yaml', 'deep.json', 'experiments', 'inf.yaml', 'torn.json']);
});

test('a torn run file (config.resolved.json, manifest.json) is a coded error naming it, exit 2', () => {
  const run = join(dir, 'torn-run');
  mkdirSync(run);
  writeFileSync(join(run, 'manifest.json'), '{"runId": "x", "status": "runn');
  writeFileSync(join(run, 'config.resolved.json'), '{"name": "x", "seed"');
  for (const args of [['run', '--resume', 'torn-run'], ['evaluate', 'torn-run']]) {
    const r = ungreedy(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, /^UNG_ERR_RUN_FILE_CORRUPT: run file .*torn-run\/(config\.resolved|manifest)\.json must be valid JSON/, args.join(' '));
  }
});
