// Checks shared by the module kits (FusionTester, EncoderTester): contribution meta, variable naming, gradients.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { compileSchema } from '../engine/config/ajv.js';
import { isUngreedyError } from '../contract/errors/errors.js';
import type { ErrorCode } from '../contract/errors/errors.js';
import type { Module, NamedVariable } from '../contract/model/module.js';
import type { ContributionMeta } from '../contract/plugin/manifest.js';
import { Rng } from '../contract/rng/rng.js';
import type { JsonObject } from '../contract/util/json.js';
import { resolveOptions, strictSchemaProblem } from './resolve-options.js';

/** Meta: a description, a strict closed object schema that accepts the defaults (as StrategyTester checks). */
export function checkMeta(id: string, meta: ContributionMeta<unknown>): void {
  assert.ok(typeof meta.docs?.description === 'string' && meta.docs.description.length > 0, 'meta.docs.description must be a sentence');
  assert.ok(meta.schema && typeof meta.schema === 'object' && !Array.isArray(meta.schema), 'meta.schema must be an object');
  assert.equal(meta.schema['type'], 'object', 'meta.schema.type must be "object"');
  assert.equal(meta.schema['additionalProperties'], false, 'meta.schema.additionalProperties must be false');
  compileSchema(meta.schema);
  const strict = strictSchemaProblem(meta.schema);
  assert.equal(strict, null, `meta.schema must pass Ajv's strict mode (unknown keywords are usually typos): ${strict}`);
  assert.ok(meta.defaultOptions !== null && typeof meta.defaultOptions === 'object', 'meta.defaultOptions must be an object');
  resolveOptions(id, meta, {});
}

/** Asserts that `make()` fails (throws or rejects) with an UngreedyError of `code`. */
export async function expectCoded(make: () => unknown, code: ErrorCode, what: string): Promise<void> {
  await assert.rejects(
    async () => {
      const made = (await make()) as Partial<Module> | undefined;
      made?.dispose?.();
    },
    (err: unknown) => {
      assert.ok(isUngreedyError(err), `${what}: expected an UngreedyError, but got ${String(err)}`);
      assert.equal(err.code, code, `${what}: ${err.message}`);
      return true;
    },
  );
}

/** Variable names unique and under the module's prefix; groups, when set, pass `groupOk`. */
export function checkVariables(vars: readonly NamedVariable[], prefix: string, groupOk: (v: NamedVariable) => string | null): void {
  const names = vars.map((v) => v.name);
  assert.equal(new Set(names).size, names.length, `variable names must be unique: ${names.join(', ')}`);
  for (const v of vars) {
    assert.ok(v.name.startsWith(prefix), `variable "${v.name}" must start with the namePrefix "${prefix}"`);
    assert.ok(v.variable instanceof tf.Variable && !v.variable.isDisposed, `variable "${v.name}" must be a live tf.Variable`);
    const problem = groupOk(v);
    assert.equal(problem, null, `variable "${v.name}": ${problem}`);
  }
}

/** Values of every variable by name (for determinism and round-trip checks). */
export function snapshot(vars: readonly NamedVariable[]): Record<string, number[]> {
  return Object.fromEntries(vars.map((v) => [v.name, Array.from(v.variable.dataSync())]));
}

/** A tensor of N(0, 1) values from a seeded stream. */
export function randn(shape: readonly number[], seed: number): tf.Tensor {
  return tf.tensor(Rng.fromSeed(seed, 'kit-input').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), [...shape]);
}

/** Max |x|, downloaded. */
export function maxAbs(x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0]!);
}

/** Every value finite. */
export function allFinite(x: tf.Tensor): boolean {
  return tf.tidy(() => tf.all(tf.isFinite(x)).dataSync()[0] === 1);
}

/** Resolved options (defaults merged, schema-checked) under `pointer`. */
export function resolved<O>(id: string, meta: ContributionMeta<O>, options: JsonObject, pointer: string): O {
  return resolveOptions(id, meta, options, pointer);
}

/** The JSON pointers an error's data names: `path`, `pointer`, and those of `issues[]`. */
export function errorPointers(data: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const key of ['path', 'pointer'] as const) if (typeof data[key] === 'string') out.push(data[key]);
  const issues = data['issues'];
  if (Array.isArray(issues)) {
    for (const i of issues as { path?: unknown; pointer?: unknown }[]) {
      if (typeof i.path === 'string') out.push(i.path);
      if (typeof i.pointer === 'string') out.push(i.pointer);
    }
  }
  return out;
}
