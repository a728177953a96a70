#!/usr/bin/env node
// Builds the optional native kernels (ungreedy-native.cc, on oneDNN) into dist/addon/ungreedy-native.node
// (NATIVE_ADDON_PATH in src/native/native-addon.ts).
// Optional: without a C++ compiler, Node's headers or oneDNN (Debian: apt install libdnnl-dev) it says why and
// exits 0, and the wasm backend keeps its own kernels. UNGREEDY_NATIVE=required makes a failed build an error
// (CI sets it); UNGREEDY_NATIVE=off skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'ungreedy-native.cc');
const output = join(here, '..', 'dist', 'addon', 'ungreedy-native.node');
const mode = process.env.UNGREEDY_NATIVE ?? 'optional';

function skip(reason) {
  if (mode === 'required') {
    console.error(`native: the native addon must build (UNGREEDY_NATIVE=required), but ${reason}`);
    process.exit(1);
  }
  console.log(`native: addon not built: ${reason}. The wasm backend uses its own kernels.`);
  process.exit(0);
}

if (existsSync(output) && mode !== 'off' && statSync(output).mtimeMs > statSync(source).mtimeMs) {
  console.log(`native: ${output} is up to date`);
  process.exit(0);
}
// A stale addon must not outlive a failed build: its kernels would not match the sources.
rmSync(output, { force: true });
if (mode === 'off') skip('UNGREEDY_NATIVE=off');
// Node's own headers: <prefix>/include/node next to <prefix>/bin/node (how Debian and the official builds lay it out).
const nodeHeaders = join(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(nodeHeaders, 'node_api.h'))) skip(`Node's headers are not at ${nodeHeaders}`);
const cxx = process.env.CXX ?? 'g++';
mkdirSync(dirname(output), { recursive: true });
// -ffp-contract=off: the optimizer steps must round like the TensorFlow.js ops they replace (no fused multiply-add).
const args = ['-O2', '-ffp-contract=off', '-fopenmp', '-std=c++17', '-shared', '-fPIC', `-I${nodeHeaders}`, source, '-ldnnl', '-o', output];
const result = spawnSync(cxx, args, { encoding: 'utf8' });
if (result.error) skip(`${cxx} could not run (${result.error.message})`);
if (result.status !== 0) {
  const first = (result.stderr || result.stdout).split('\n').filter(Boolean).slice(0, 3).join(' | ');
  skip(/dnnl/.test(first) ? `oneDNN is missing (apt install libdnnl-dev): ${first}` : `${cxx} failed: ${first}`);
}
console.log(`native: built ${output}`);
