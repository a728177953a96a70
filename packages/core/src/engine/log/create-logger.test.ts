import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, logLevelFromEnv } from './create-logger.js';

test('JSON lines go to the file with bound fields; the level filters', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ungreedy-log-')), 'sub', 'log.jsonl');
  const { log, close } = createLogger({ file, level: 'info', console: 'none', bindings: { run: 'r1' } });
  log.debug({ a: 1 }, 'hidden');
  log.info({ epoch: 2, acc: 0.5 }, 'epoch end');
  close();
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!['msg'], 'epoch end');
  assert.equal(lines[0]!['run'], 'r1');
  assert.equal(lines[0]!['epoch'], 2);
  assert.equal(typeof lines[0]!['time'], 'string');
});

test('the console gets JSON lines when it is not a terminal', () => {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const { log } = createLogger({ level: 'warn', consoleStream: sink });
  log.info('dropped');
  log.warn({ code: 'X' }, 'kept');
  assert.equal(chunks.length, 1);
  assert.equal((JSON.parse(chunks[0]!) as { msg: string }).msg, 'kept');
});

test('UNGREEDY_LOG_LEVEL sets the level; unknown values fall back', () => {
  assert.equal(logLevelFromEnv({ UNGREEDY_LOG_LEVEL: 'DEBUG' }), 'debug');
  assert.equal(logLevelFromEnv({ UNGREEDY_LOG_LEVEL: 'loud' }), 'info');
  assert.equal(logLevelFromEnv({}), 'info');
});

test('the run file keeps info lines even when the terminal is silent, and debug when asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungreedy-log-'));
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const quiet = createLogger({ file: join(dir, 'a.jsonl'), level: 'silent', consoleStream: sink });
  quiet.log.debug('no');
  quiet.log.info('yes');
  quiet.close();
  assert.deepEqual(readFileSync(join(dir, 'a.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg), ['yes']);
  assert.deepEqual(chunks, []);
  const loud = createLogger({ file: join(dir, 'b.jsonl'), level: 'debug', console: 'none' });
  loud.log.debug('dbg');
  loud.close();
  assert.match(readFileSync(join(dir, 'b.jsonl'), 'utf8'), /"msg":"dbg"/);
});
