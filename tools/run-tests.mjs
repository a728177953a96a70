#!/usr/bin/env node
// Runs every *.test.ts under a folder with Node's own test runner, on TypeScript sources:
// tsx transpiles, and the "ungreedy-development" export condition makes workspace packages resolve to
// their src/ so tests never depend on a stale build. Node 20's --test takes no globs, so we list.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = process.argv[2] ?? '.';
const only = process.env.UNGREEDY_TEST_FILTER;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts') && (!only || path.includes(only))) files.push(path);
  }
})(root);
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${root}`);
  process.exit(1);
}
// The backend the tests train on (setupTestBackend in @ungreedy/core/testing): UNGREEDY_TEST_BACKEND, passed
// through to every test process, or wasm (the fastest CPU backend, the default of testBackendName()).
const backend = process.env.UNGREEDY_TEST_BACKEND || 'wasm';
if (backend !== 'cpu' && backend !== 'wasm') {
  console.error(`run-tests: UNGREEDY_TEST_BACKEND should be cpu or wasm, but got "${backend}". Unset it for wasm, or set it to cpu for the oracle.`);
  process.exit(2);
}
console.log(`run-tests: ${files.length} files under ${relative(process.cwd(), root) || '.'} (backend ${backend})`);
// Every temp folder the tests make (os.tmpdir() follows TMPDIR) lands in one folder of this invocation, removed
// at the end, so a test run leaves nothing in the system temp folder even when a test forgets to clean up or
// is killed. UNGREEDY_KEEP_TEMP=1 keeps it for inspection.
const testTmp = mkdtempSync(join(tmpdir(), 'ungreedy-test-run-'));
const result = spawnSync(
  process.execPath,
  ['--conditions=ungreedy-development', '--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  {
    stdio: 'inherit',
    // One oneDNN thread per test process (the native kernels, packages/backend/native): Nx runs several packages'
    // tests at once, and spinning OpenMP threads on shared cores slow every one of them down.
    env: { ...process.env, TMPDIR: testTmp, UNGREEDY_LOG_LEVEL: process.env.UNGREEDY_LOG_LEVEL ?? 'silent', OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' },
  },
);
if (process.env.UNGREEDY_KEEP_TEMP === '1') console.log(`run-tests: temp folders kept in ${testTmp}`);
else rmSync(testTmp, { recursive: true, force: true });
process.exit(result.status ?? 1);
