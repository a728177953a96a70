import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { CliIo } from './cli-command.js';
import { commands } from './commands/index.js';
import { formatError } from './format-error.js';
import { main } from './main.js';

const toyPlugin = join(import.meta.dirname, 'test-fixtures', 'toy-plugin.mjs');

interface Captured { code: number; out: string[]; err: string[] }

async function cli(argv: string[], cwd: string): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env: { UNGREEDY_LOG_LEVEL: 'silent' }, isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A folder with a config that loads the toy plugin by a relative path. */
function workspace(config: Record<string, unknown> = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-cli-'));
  const file = join(dir, 'exp.json');
  writeFileSync(file, JSON.stringify({
    name: 'toy',
    seed: 4,
    backend: 'cpu',
    plugins: [relative(dir, toyPlugin).startsWith('.') ? relative(dir, toyPlugin) : `./${relative(dir, toyPlugin)}`],
    dataset: { use: 'toy-digits' },
    model: { encoders: [{ use: 'toy-cnn' }], fusion: { use: 'toy-late' } },
    strategy: { use: 'guided', options: { alpha: 0.2 } },
    train: { epochs: 1 },
    ...config,
  }, null, 2));
  return { dir, file };
}

test('the command table is sorted and every command answers --help with exit 0', async () => {
  const names = Object.keys(commands);
  assert.deepEqual(names, [...names].sort());
  for (const name of names) {
    const r = await cli([name, '--help'], tmpdir());
    assert.equal(r.code, 0, name);
    assert.match(r.out.join('\n'), new RegExp(`^Usage: ungreedy ${name}`), name);
  }
  const top = await cli(['--help'], tmpdir());
  assert.equal(top.code, 0);
  for (const name of names) assert.match(top.out.join('\n'), new RegExp(`\\n  ${name} `));
  assert.equal((await cli([], tmpdir())).code, 2);
  assert.match((await cli(['--version'], tmpdir())).out[0]!, /^\d+\.\d+\.\d+/);
});

test('an unknown command or option is bad input (exit 2) with a suggestion', async () => {
  const r = await cli(['valdate', 'x.json'], tmpdir());
  assert.equal(r.code, 2);
  assert.match(r.err[0]!, /^UNG_ERR_CLI_USAGE: .*Did you mean "validate"\?/);
  const o = await cli(['validate', '--strict', 'x.json'], tmpdir());
  assert.equal(o.code, 2);
  assert.match(o.err[0]!, /^UNG_ERR_CLI_USAGE/);
  assert.equal((await cli(['run', '--seed', '-1', 'x.json'], tmpdir())).code, 2);
});

test('validate: a valid config exits 0 and --json prints the resolved config', async () => {
  const { dir } = workspace();
  const ok = await cli(['validate', 'exp.json'], dir);
  assert.equal(ok.code, 0, ok.err.join('\n'));
  assert.match(ok.out[0]!, /exp\.json is valid/);
  const json = await cli(['validate', 'exp.json', '--json', '--seed', '9'], dir);
  const resolved = JSON.parse(json.out.join('\n')) as { seed: number; strategy: { options: unknown }; dataset: { options: unknown } };
  assert.equal(resolved.seed, 9);
  assert.deepEqual(resolved.strategy.options, { alpha: 0.2 });
  assert.deepEqual(resolved.dataset.options, { samples: 100 });
});

test('validate: a misspelt strategy id, a wrong option type and an unknown key give three lines and exit 2', async () => {
  const { dir, file } = workspace({
    strategy: { use: 'guidd' },
    dataset: { use: 'toy-digits', options: { samples: 'ten' } },
    trian: { epochs: 2 },
  });
  const r = await cli(['validate', file], dir);
  assert.equal(r.code, 2);
  const lines = r.err.join('\n').split('\n');
  assert.deepEqual(lines, [
    `UNG_ERR_CONFIG_INVALID: exp.json has 3 problems`.replace('exp.json', relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file)),
    '  /trian: is not a known key. Did you mean "train"?',
    '  /dataset/options/samples: must be integer, but got "ten".',
    '  /strategy/use: unknown strategy "guidd". Did you mean "guided"?',
  ]);
});

test('validate: a missing file, a syntax error and a missing plugin are bad input', async () => {
  const { dir } = workspace({ plugins: ['ungreedy-strategy-nowhere'] });
  assert.equal((await cli(['validate', 'missing.json'], dir)).code, 2);
  writeFileSync(join(dir, 'broken.yaml'), 'name: [\n');
  const parse = await cli(['validate', 'broken.yaml'], dir);
  assert.equal(parse.code, 2);
  assert.match(parse.err[0]!, /^UNG_ERR_CONFIG_PARSE/);
  assert.match(parse.err[1]!, /^ {2}Reason: /);
  const missing = await cli(['validate', 'exp.json'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.err[0]!, /^UNG_ERR_PLUGIN_NOT_FOUND: .*ungreedy-strategy-nowhere/);
});

test('validate: a plugin built for another core API is refused (exit 2)', async () => {
  const { dir } = workspace();
  writeFileSync(join(dir, 'future.mjs'), "export default { meta: { name: 'future-plugin', version: '3.0.0', coreApi: '^3.0.0' } };\n");
  const configFile = join(dir, 'exp.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { plugins: string[] };
  writeFileSync(configFile, JSON.stringify({ ...config, plugins: [...config.plugins, './future.mjs'] }));
  const r = await cli(['validate', 'exp.json'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err[0]!, /^UNG_ERR_PLUGIN_CORE_RANGE: /);
});

test('plugins --config lists every component with its defaults and schema', async () => {
  const { dir } = workspace();
  const r = await cli(['plugins', '--config', 'exp.json', '--json'], dir);
  assert.equal(r.code, 0, r.err.join('\n'));
  const { plugins } = JSON.parse(r.out.join('\n')) as { plugins: { name: string; components: { kind: string; id: string; defaultOptions?: unknown; schema?: unknown }[] }[] };
  assert.equal(plugins[0]!.name, '@ungreedy/core');
  const toy = plugins.find((p) => p.name === 'toy-plugin')!;
  assert.deepEqual(toy.components.map((c) => `${c.kind}/${c.id}`), [
    'datasets/toy-digits', 'encoders/toy-cnn', 'fusions/toy-late', 'strategies/guided', 'commands/prepare/toy', 'commands/make/toy',
  ]);
  assert.deepEqual(toy.components[3]!.defaultOptions, { alpha: 0.5 });
  const text = await cli(['plugins', '--config', 'exp.json'], dir);
  assert.match(text.out.join('\n'), /strategy guided: A toy strategy\.\n {4}defaults: {"alpha":0\.5}/);
});

test('init writes a starter config once (JSON or YAML) and refuses to overwrite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-init-'));
  assert.equal((await cli(['init'], dir)).code, 0);
  const json = JSON.parse(readFileSync(join(dir, 'ungreedy.config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(json['$schema'], './node_modules/@ungreedy/core/schema/config.schema.json');
  assert.equal((await cli(['init'], dir)).code, 2);
  assert.equal((await cli(['init', '--force'], dir)).code, 0);
  assert.equal((await cli(['init', 'exp.yaml'], dir)).code, 0);
  const yaml = parseYaml(readFileSync(join(dir, 'exp.yaml'), 'utf8')) as Record<string, unknown>;
  const { $schema: _, ...rest } = json;
  assert.deepEqual(yaml, rest);
});

test("init's starter config runs at the scale of one quickstart run (whose time is measured) and says how long it takes", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-init-'));
  const r = await cli(['init'], dir);
  assert.match(r.out.join('\n'), /The run takes about \d+ s on an idle 2-core machine/);
  const starter = JSON.parse(readFileSync(join(dir, 'ungreedy.config.json'), 'utf8')) as Record<string, unknown>;
  const recipe = parseYaml(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', '..', 'recipes', 'quickstart.yaml'), 'utf8')) as {
    base: Record<string, unknown>;
  };
  for (const key of ['dataset', 'model', 'train'] as const) assert.deepEqual(starter[key], recipe.base[key], `starter ${key} differs from recipes/quickstart.yaml's base`);
});

test('run validates, creates the run folder with the resolved config and manifest, and reports a failed run with exit 1', async () => {
  const { dir } = workspace();
  const r = await cli(['run', 'exp.json', '--out', 'out', '--seed', '5'], dir);
  assert.equal(r.code, 1, r.err.join('\n'));
  const runDir = join(dir, 'out', 'toy-seed5');
  assert.ok(r.out.some((l) => l === `Run folder: ${runDir}` || l.endsWith(join('out', 'toy-seed5'))), r.out.join('\n'));
  const resolved = JSON.parse(readFileSync(join(runDir, 'config.resolved.json'), 'utf8')) as { seed: number; strategy: unknown };
  assert.equal(resolved.seed, 5);
  assert.deepEqual(resolved.strategy, { use: 'guided', options: { alpha: 0.2 } });
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest['status'], 'failed');
  assert.equal(manifest['seed'], 5);
  assert.deepEqual(manifest['backend'], { name: 'cpu', reason: 'requested in the config or on the command line (@tensorflow/tfjs-backend-cpu)' });
  assert.deepEqual((manifest['plugins'] as { name: string }[]).map((p) => p.name), ['@ungreedy/core', 'toy-plugin']);
  assert.equal((manifest['config'] as { dir: string }).dir, dir);
  assert.ok(existsSync(join(runDir, 'log.jsonl')));
  assert.ok(!readdirSync(runDir).some((f) => f.endsWith('.tmp')));
  // The failed run is kept, so a second run gets a fresh folder.
  await cli(['run', 'exp.json', '--out', 'out', '--seed', '5'], dir);
  assert.ok(existsSync(join(dir, 'out', 'toy-seed5-2', 'manifest.json')));
});

test('run --resume and evaluate refuse a folder that is not a run (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-norun-'));
  mkdirSync(join(dir, 'empty'));
  const resume = await cli(['run', '--resume', 'empty'], dir);
  assert.equal(resume.code, 2);
  assert.match(resume.err[0]!, /^UNG_ERR_RUN_NOT_FOUND/);
  const evaluate = await cli(['evaluate', 'empty'], dir);
  assert.equal(evaluate.code, 2);
  assert.equal((await cli(['run', '--resume', 'empty', 'exp.json'], dir)).code, 2);
});

test('prepare and datasets make dispatch to plugin commands; unknown names suggest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-cmd-'));
  const prep = await cli(['prepare', 'toy', '--plugin', toyPlugin, '--src', 'raw'], dir);
  assert.equal(prep.code, 0, prep.err.join('\n'));
  assert.deepEqual(prep.out, ['prepared toy with {"src":"raw"}']);
  const make = await cli(['datasets', 'make', 'toy', '--n', '3', `--plugin=${toyPlugin}`], dir);
  assert.deepEqual([make.code, make.out], [0, ['made toy with {"n":3}']]);
  // Core parses the command line against the declared options: an unknown one and a bad value are usage errors.
  assert.equal((await cli(['datasets', 'make', 'toy', '--bad', '--plugin', toyPlugin], dir)).code, 2);
  const zero = await cli(['datasets', 'make', 'toy', '--n', '0', '--plugin', toyPlugin], dir);
  assert.equal(zero.code, 2);
  assert.match(zero.err[0]!, /^UNG_ERR_CLI_USAGE: ungreedy datasets make toy --n must be an integer >= 1/);
  const help = await cli(['prepare', 'toy', '--help', '--plugin', toyPlugin], dir);
  assert.deepEqual([help.code, help.out[0]], [0, 'Usage: ungreedy prepare toy [--src dir]']);
  assert.ok(help.out.some((l) => /--src <string> +the raw files/.test(l)), help.out.join('\n'));
  const typo = await cli(['prepare', 'tyo', '--plugin', toyPlugin], dir);
  assert.equal(typo.code, 2);
  assert.match(typo.err[0]!, /^UNG_ERR_UNKNOWN_COMPONENT: .*Did you mean "toy"\?/);
  const list = await cli(['datasets', '--plugin', toyPlugin], dir);
  assert.equal(list.code, 0);
  assert.ok(list.out.some((l) => l.startsWith('toy-digits  (toy-plugin)')), list.out.join('\n'));
  // The listing says how to get the data: each of the plugin's commands as a user types it.
  const text = list.out.join('\n');
  assert.match(text, /toy-digits {2}\(toy-plugin\)\n.*\n {4}prepare: ungreedy prepare toy \[--src dir\]\n {8}Pretends to convert raw files\.\n {4}make: ungreedy datasets make toy \[--n count\]/);
  // Installed first-party datasets show theirs too (make/modelnet40-mini makes modelnet40 data).
  assert.match(text, /modelnet40 {2}\(@ungreedy\/dataset-modelnet40\)[^]*?make: ungreedy datasets make modelnet40-mini --out <dir>/);
});

test('plugins without --config lists every installed plugin: each package with the ungreedy-plugin keyword', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-plugins-'));
  const r = await cli(['plugins', '--json'], dir);
  assert.equal(r.code, 0, r.err.join('\n'));
  const listed = (JSON.parse(r.out.join('\n')) as { plugins: { name: string; components: { kind: string; id: string }[] }[] }).plugins;
  // What this repository ships: every workspace package that declares the keyword (strategies and datasets alike).
  const packagesDir = join(import.meta.dirname, '..', '..', '..', '..');
  const shipped = readdirSync(packagesDir)
    .map((d) => join(packagesDir, d, 'package.json'))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { name: string; keywords?: string[] })
    .filter((p) => p.keywords?.includes('ungreedy-plugin') === true)
    .map((p) => p.name);
  assert.ok(shipped.includes('@ungreedy/strategy-guided') && shipped.includes('@ungreedy/dataset-colored-mnist'), shipped.join(', '));
  const names = listed.map((p) => p.name);
  for (const name of shipped) assert.ok(names.includes(name), `${name} missing from: ${names.join(', ')}`);
  const ids = listed.flatMap((p) => p.components.map((c) => `${c.kind}/${c.id}`));
  for (const id of ['strategies/guided', 'strategies/random', 'strategies/rubi', 'datasets/colored-mnist', 'encoders/cnn', 'fusions/mmtm']) {
    assert.ok(ids.includes(id), `${id} missing from: ${ids.join(', ')}`);
  }
});

test('validate recognises a compare config and checks every cell as compare would', async () => {
  const { dir } = workspace();
  const compare = join(dir, 'cmp.json');
  writeFileSync(compare, JSON.stringify({ base: './exp.json', seeds: [1, 2], unimodal: false, strategies: [{ label: 'g', use: 'guided', options: { alpha: 0.3 } }] }));
  const ok = await cli(['validate', 'cmp.json'], dir);
  assert.equal(ok.code, 0, ok.err.join('\n'));
  assert.match(ok.out[1]!, /^ {2}2 runs: datasets toy-digits; rows g; seeds 1, 2$/);
  writeFileSync(compare, JSON.stringify({ base: './exp.json', strategies: [{ label: 'g', use: 'guidd' }] }));
  const bad = await cli(['validate', 'cmp.json'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err[0]!, /^UNG_ERR_CONFIG_INVALID: /);
  assert.ok(bad.err.some((l) => l.includes('/strategies/0/use') && l.includes('Did you mean "guided"?')), bad.err.join('\n'));
  // The executor and its options are checked as compare checks them.
  writeFileSync(compare, JSON.stringify({ base: './exp.json', strategies: [{ label: 'g', use: 'guided' }], executor: { use: 'slurm', options: { cpusPerTask: 0 } } }));
  const badExecutor = await cli(['validate', 'cmp.json'], dir);
  assert.equal(badExecutor.code, 2);
  assert.ok(badExecutor.err.some((l) => l.includes('/executor/options/cpusPerTask')), badExecutor.err.join('\n'));
});

test('errors print code: message, then one indented Reason line per cause', () => {
  const inner = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  const middle = new UngreedyError('UNG_ERR_PLUGIN_INVALID', 'plugin "x" must import.', {}, { cause: inner });
  const outer = new UngreedyError('UNG_ERR_CONFIG_INVALID', 'x.json has 1 problem', {}, { cause: middle });
  assert.deepEqual(formatError(outer), [
    'UNG_ERR_CONFIG_INVALID: x.json has 1 problem',
    '  Reason: UNG_ERR_PLUGIN_INVALID: plugin "x" must import.',
    '    Reason: ENOENT: no such file',
  ]);
});

test('a finished run prints its folder and headline numbers', async () => {
  const { printSummary } = await import('./commands/run.js');
  const lines: string[] = [];
  printSummary({ out: (l) => lines.push(l) }, {
    status: 'completed', name: 'cmnist', seed: 1, strategy: 'guided', dataset: 'colored-mnist', modalities: [0, 1],
    modalityNames: ['gray', 'color'], epochs: 3, bestEpoch: 2, stoppedBecause: 'max-epochs', test: { acc: 91.5, accHeads: [88, 52.25] },
    utilization: { type: 'utilization', checkpoint: 'best', epoch: 2, denominator: 'branch', acc: 91.5, accHeads: [88, 52.25], accHeadsAblated: [80, 50], u: [0.0909, 0.0431], dUtil: 0.0478 },
    error: null, seconds: 12.34,
  }, '/tmp/runs/cmnist-seed1');
  assert.deepEqual(lines, [
    'Run completed: cmnist (3 epochs, stopped: max-epochs, 12.3 s)',
    '  test accuracy 91.50 %; per modality 88.00 %, 52.25 % (gray, color)',
    '  conditional utilization u 0.0909, 0.0431; d_util 0.0478 (best checkpoint)',
    '  folder: /tmp/runs/cmnist-seed1 (summary.json, metrics.jsonl, log.jsonl, checkpoints/)',
  ]);
});
