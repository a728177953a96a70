import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { ErrorCode } from '../contract/errors/errors.js';
import type { Encoder, EncoderContext } from '../contract/model/encoder.js';
import type { NamedVariable } from '../contract/model/module.js';
import type { EncoderContribution } from '../contract/plugin/manifest.js';
import { Rng } from '../contract/rng/rng.js';
import type { JsonObject } from '../contract/util/json.js';
import { allFinite, checkMeta, checkVariables, expectCoded, maxAbs, randn, resolved, snapshot } from './module-checks.js';
import { setupTestBackend } from './test-backend.js';

/** Options and an input shape that must fail at `create`, with the error code. */
export interface InvalidEncoderCase {
  readonly options?: JsonObject;
  /** Default: the first valid case's input shape. */
  readonly inputShape?: readonly number[];
  readonly code: ErrorCode;
}

/** One configuration to check: options (merged over the defaults) and the per-sample input shape, kept tiny. */
export interface EncoderCase {
  readonly options?: JsonObject;
  readonly inputShape: readonly number[];
  /** Expected `stages[].outShape` and `featureSize`, when the test knows them. */
  readonly expect?: { readonly outShapes?: readonly (readonly number[])[]; readonly featureSize?: number };
}

export interface EncoderCases {
  readonly valid: readonly EncoderCase[];
  readonly invalid?: readonly InvalidEncoderCase[];
}

export interface EncoderTesterOptions {
  readonly batchSize?: number;
  readonly seed?: number;
}

/**
 * The conformance suite for an encoder (STYLE.md H13), like {@link StrategyTester}: it registers `node:test` tests
 * that check the `Encoder` contract (packages/core/src/contract/model/encoder.ts).
 * - meta: a description; a strict closed JSON Schema that accepts the defaults; each invalid case fails with its code;
 * - stages: at least one, unique names, positive integer `outShape`s; running the stages in order gives
 *   [B, ...outShape] after each (training and inference), and `pool` gives [B, featureSize], finite;
 *   the declared shapes match `expect` when given; an optional `describe(options)` gives the built stage count and
 *   feature size;
 * - gradients: a loss on the pooled features reaches the input and gives every trainable variable a finite,
 *   not all-zero gradient;
 * - variables: unique names under `namePrefix`; no group other than the model's `branch/k` (the model assigns it);
 * - initialisation is a function of the `rng` seed (same seed, same values; another seed, other values); inference is
 *   deterministic;
 * - creating, running (training and inference) and disposing leaves `tf.memory().numTensors` unchanged.
 *
 * @example
 * new EncoderTester().run('cnn', cnn, {
 *   valid: [{ options: { channels: [2, 3] }, inputShape: [8, 8, 1], expect: { featureSize: 3 } }],
 *   invalid: [{ inputShape: [8], code: 'UNG_ERR_MODEL_MISMATCH' }],
 * });
 */
export class EncoderTester {
  private readonly batchSize: number;
  private readonly seed: number;

  constructor(options: EncoderTesterOptions = {}) {
    this.batchSize = options.batchSize ?? 2;
    this.seed = options.seed ?? 1;
  }

  run(id: string, contribution: EncoderContribution, cases: EncoderCases): void {
    describe(`encoder "${id}" conformance`, () => {
      before(setupTestBackend);

      test('meta: description, strict schema with additionalProperties: false, defaults accepted', () => {
        assert.equal(typeof contribution.create, 'function', 'create must be a function');
        checkMeta(id, contribution.meta);
      });

      for (const c of cases.invalid ?? []) {
        const shape = c.inputShape ?? cases.valid[0]!.inputShape;
        test(`invalid ${JSON.stringify(c.options ?? {})} on [${shape.join(', ')}]: ${c.code}`, async () => {
          await expectCoded(() => this.create(id, contribution, c.options ?? {}, shape), c.code, 'create');
        });
      }

      for (const c of cases.valid) {
        const label = `${JSON.stringify(c.options ?? {})} on [${c.inputShape.join(', ')}]`;
        test(`valid ${label}: stages and pooled features have the declared shapes, in training and inference`, async () => {
          await this.withEncoder(id, contribution, c, (enc) => {
            assert.ok(enc.stages.length >= 1, 'an encoder needs at least one stage');
            const names = enc.stages.map((s) => s.name);
            assert.equal(new Set(names).size, names.length, `stage names must be unique: ${names.join(', ')}`);
            for (const s of enc.stages) {
              assert.ok(s.outShape.length >= 1 && s.outShape.every((d) => Number.isInteger(d) && d >= 1), `stage ${s.name}: outShape must be positive integers`);
            }
            assert.ok(Number.isInteger(enc.featureSize) && enc.featureSize >= 1, `featureSize must be a positive integer, got ${enc.featureSize}`);
            if (c.expect?.outShapes) assert.deepEqual(enc.stages.map((s) => [...s.outShape]), c.expect.outShapes.map((s) => [...s]), 'stage outShapes');
            if (c.expect?.featureSize !== undefined) assert.equal(enc.featureSize, c.expect.featureSize, 'featureSize');
            if (contribution.describe !== undefined) {
              // What validate checks fusion positions and shared heads with must be what create builds.
              const d = contribution.describe(resolved(id, contribution.meta, c.options ?? {}, '/model/encoders/0/options'));
              assert.equal(d.stages, enc.stages.length, 'describe(options).stages must be the number of stages create builds');
              if (d.featureSize !== undefined) assert.equal(d.featureSize, enc.featureSize, 'describe(options).featureSize must be the built featureSize');
            }
            const x = randn([this.batchSize, ...c.inputShape], this.seed);
            try {
              for (const training of [true, false]) {
                tf.tidy(() => {
                  let h = x;
                  for (const s of enc.stages) {
                    h = s.apply(h, { training });
                    assert.deepEqual(h.shape, [this.batchSize, ...s.outShape], `stage ${s.name} (training: ${training}) must give [B, ...outShape]`);
                    assert.ok(allFinite(h), `stage ${s.name} (training: ${training}) must give finite values`);
                  }
                  const f = enc.pool(h);
                  assert.deepEqual(f.shape, [this.batchSize, enc.featureSize], `pool (training: ${training}) must give [B, featureSize]`);
                  assert.ok(allFinite(f), 'pooled features must be finite');
                });
              }
            } finally {
              x.dispose();
            }
          });
        });

        test(`valid ${label}: gradients reach the input and every trainable variable`, async () => {
          await this.withEncoder(id, contribution, c, (enc) => {
            const trainable = enc.variables().filter((v) => v.trainable);
            const x = randn([this.batchSize, ...c.inputShape], this.seed);
            const w = randn([this.batchSize, enc.featureSize], this.seed + 1);
            const loss = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(this.forward(enc, input, true), w));
            try {
              const gx = tf.grad(loss)(x);
              assert.ok(allFinite(gx) && maxAbs(gx) > 0, 'the gradient to the input must be finite and not all zero');
              gx.dispose();
              if (trainable.length > 0) {
                const { value, grads } = tf.variableGrads(() => loss(x), trainable.map((v) => v.variable));
                value.dispose();
                for (const v of trainable) {
                  const g = grads[v.variable.name];
                  assert.ok(g, `trainable variable "${v.name}" must receive a gradient`);
                  assert.ok(allFinite(g) && maxAbs(g) > 0, `the gradient of trainable variable "${v.name}" must be finite and not all zero`);
                }
                tf.dispose(Object.values(grads));
              }
            } finally {
              tf.dispose([x, w]);
            }
          });
        });

        test(`valid ${label}: variable names, seeded init, deterministic inference`, async () => {
          const a = await this.create(id, contribution, c.options ?? {}, c.inputShape, this.seed);
          const b = await this.create(id, contribution, c.options ?? {}, c.inputShape, this.seed);
          const x = randn([this.batchSize, ...c.inputShape], this.seed);
          try {
            checkVariables(a.variables(), 'branch.0.', groupProblem);
            assert.deepEqual(snapshot(b.variables()), snapshot(a.variables()), 'the same rng seed must give the same initial variables');
            if (a.variables().some((v) => v.trainable)) {
              const other = await this.create(id, contribution, c.options ?? {}, c.inputShape, this.seed + 1);
              try {
                assert.notDeepEqual(snapshot(other.variables()), snapshot(a.variables()), 'another rng seed must give other initial variables');
              } finally {
                other.dispose();
              }
            }
            const run = (enc: Encoder): number[] => tf.tidy(() => Array.from(this.forward(enc, x, false).dataSync()));
            assert.deepEqual(run(a), run(b), 'inference must be a function of the variables and the input');
          } finally {
            x.dispose();
            a.dispose();
            b.dispose();
          }
        });

        test(`valid ${label}: no tensor leaks (create, run, dispose)`, async () => {
          const x = randn([this.batchSize, ...c.inputShape], this.seed);
          const before = tf.memory().numTensors;
          await this.withEncoder(id, contribution, c, (enc) => {
            for (const training of [true, false, true]) tf.tidy(() => void this.forward(enc, x, training));
          });
          assert.equal(tf.memory().numTensors - before, 0, 'the encoder left tensors behind');
          x.dispose();
        });
      }
    });
  }

  private forward(enc: Encoder, x: tf.Tensor, training: boolean): tf.Tensor2D {
    let h = x;
    for (const s of enc.stages) h = s.apply(h, { training });
    return enc.pool(h);
  }

  private async create(id: string, contribution: EncoderContribution, options: JsonObject, inputShape: readonly number[], seed = this.seed): Promise<Encoder> {
    const ctx: EncoderContext = { inputShape: [...inputShape], modality: 0, namePrefix: 'branch.0.', rng: Rng.fromSeed(seed, 'init') };
    return contribution.create(resolved(id, contribution.meta, options, '/model/encoders/0/options'), ctx);
  }

  private async withEncoder(id: string, contribution: EncoderContribution, c: EncoderCase, fn: (enc: Encoder) => void): Promise<void> {
    const enc = await this.create(id, contribution, c.options ?? {}, c.inputShape);
    try {
      fn(enc);
    } finally {
      enc.dispose();
    }
  }
}

/** Encoders leave the group to the model (it sets `branch/k`); one set by the encoder must be that. */
function groupProblem(v: NamedVariable): string | null {
  return v.group === undefined || v.group === 'branch/0' ? null : `group "${v.group}" must be unset (the model sets branch/k)`;
}
