import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, INPUT_ERROR_CODES, UngreedyError, assertInput, isUngreedyError } from './errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^## (UNG_ERR_[A-Z_]+)\s*$/gm)].map((m) => m[1]);

test('docs/errors.md has exactly one section per code in ERROR_CODES', () => {
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
});

test('docs/errors.md marks exactly the INPUT_ERROR_CODES as input errors (exit 2)', () => {
  const sections = docs.split(/^## /m).slice(1);
  const marked = sections.filter((s) => /^\*input\.\*/m.test(s)).map((s) => s.split(/\s/)[0]);
  assert.deepEqual(marked.sort(), [...INPUT_ERROR_CODES].sort());
});

test('codes follow UNG_ERR_<AREA>_<PROBLEM> and are sorted', () => {
  const codes = Object.keys(ERROR_CODES);
  for (const code of codes) assert.match(code, /^UNG_ERR_[A-Z]+(_[A-Z]+)*$/);
  assert.deepEqual(codes, [...codes].sort());
});

test('UngreedyError keeps code, data and cause; isUngreedyError filters by code', () => {
  const cause = new Error('inner');
  const err = new UngreedyError('UNG_ERR_PLUGIN_INVALID', 'x', { field: 'meta' }, { cause });
  assert.equal(err.code, 'UNG_ERR_PLUGIN_INVALID');
  assert.deepEqual(err.data, { field: 'meta' });
  assert.equal(err.cause, cause);
  assert.ok(isUngreedyError(err));
  assert.ok(isUngreedyError(err, 'UNG_ERR_PLUGIN_INVALID'));
  assert.ok(!isUngreedyError(err, 'UNG_ERR_CLI_USAGE'));
  assert.ok(!isUngreedyError(cause));
});

test('assertInput builds the message only on failure', () => {
  let built = 0;
  assertInput(true, 'UNG_ERR_CLI_USAGE', () => String(++built));
  assert.equal(built, 0);
  assert.throws(
    () => assertInput(false, 'UNG_ERR_CLI_USAGE', () => String(++built), { arg: 1 }),
    (e: unknown) => isUngreedyError(e, 'UNG_ERR_CLI_USAGE') && e.data['arg'] === 1,
  );
  assert.equal(built, 1);
});
