import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { ErrorCode } from '../contract/errors/errors.js';
import { REGULAR } from '../contract/model/fusion-block.js';
import type { ForwardMode, FusionBlock, FusionContext, FusionForwardContext } from '../contract/model/fusion-block.js';
import type { NamedVariable } from '../contract/model/module.js';
import type { FusionContribution } from '../contract/plugin/manifest.js';
import { Rng } from '../contract/rng/rng.js';
import type { JsonObject } from '../contract/util/json.js';
import { allFinite, checkMeta, checkVariables, expectCoded, maxAbs, randn, resolved, snapshot } from './module-checks.js';
import { setupTestBackend } from './test-backend.js';

/** Per-modality per-sample feature shapes at one fusion point, channels last. */
export type FeatureLayout = readonly (readonly number[])[];

/** Options or a layout that must fail at `create`, with the error code. */
export interface InvalidFusionCase {
  readonly options?: JsonObject;
  /** Default: the tester's first layout. */
  readonly layout?: FeatureLayout;
  readonly code: ErrorCode;
}

export interface FusionCases {
  /** Option objects (merged over the defaults) to check; `{}` (the defaults) is always checked. */
  readonly valid?: readonly JsonObject[];
  readonly invalid?: readonly InvalidFusionCase[];
  /**
   * Whether every output depends on every modality's input (a fusion block that exchanges information, like MMTM),
   * or each output only on its own input (`late`). Default true.
   */
  readonly crossModal?: boolean;
  /**
   * Forward modes besides `regular` that the block supports (today's `ForwardMode`: `rebalance` of each modality,
   * `ablate-partner`); each is run in training and inference. `ablate-partner` is also checked as the partner-ablation
   * capability: each output must then depend on its own modality's input only.
   */
  readonly modes?: readonly ForwardMode[];
}

export interface FusionTesterOptions {
  /** Feature layouts each valid case is created and checked for. Default two and three modalities of mixed shapes. */
  readonly layouts?: readonly FeatureLayout[];
  readonly batchSize?: number;
  readonly seed?: number;
}

const DEFAULT_LAYOUTS: readonly FeatureLayout[] = [
  [
    [3, 3, 4],
    [3, 3, 6],
  ],
  [[2, 3, 3, 2], [4, 4, 3], [5]],
];

/**
 * The conformance suite for a fusion block (STYLE.md H13), like {@link StrategyTester}: it registers `node:test`
 * tests that check the `FusionBlock` contract (packages/core/src/contract/model/fusion-block.ts).
 * - meta: a description; a strict closed JSON Schema that accepts the defaults; each invalid case fails with its code;
 * - for every valid case and layout: `apply` returns one tensor per modality with its input's shape, finite, in
 *   training and inference and in every declared mode;
 * - the partner-ablation capability (`ablate-partner`), when declared: output k depends on input k only;
 * - gradients flow: every output to its own input, every output to every other input when `crossModal`, and the
 *   loss to every trainable variable of the block;
 * - parameter groups: every variable of the block carries a group, trainable ones `fusion/k` (k an existing
 *   modality) or `fusion/shared`; names are unique and start with `namePrefix`;
 * - the same `rng` seed gives the same initial variables; `stateDict` (if any) survives JSON, and a fresh block given
 *   the variables and the state continues exactly as the original;
 * - creating, applying in every mode and disposing leaves `tf.memory().numTensors` unchanged.
 *
 * @example
 * new FusionTester().run('mmtm', mmtm, {
 *   valid: [{ ratio: 2 }],
 *   modes: [{ kind: 'rebalance', modality: 0 }, { kind: 'rebalance', modality: 1 }, { kind: 'ablate-partner' }],
 *   invalid: [{ layout: [[3, 3, 4]], code: 'UNG_ERR_MODEL_MISMATCH' }],
 * });
 */
export class FusionTester {
  private readonly layouts: readonly FeatureLayout[];
  private readonly batchSize: number;
  private readonly seed: number;

  constructor(options: FusionTesterOptions = {}) {
    this.layouts = options.layouts ?? DEFAULT_LAYOUTS;
    this.batchSize = options.batchSize ?? 3;
    this.seed = options.seed ?? 1;
  }

  run(id: string, contribution: FusionContribution, cases: FusionCases = {}): void {
    const valid = [{}, ...(cases.valid ?? []).filter((o) => Object.keys(o).length > 0)];
    const crossModal = cases.crossModal ?? true;
    describe(`fusion "${id}" conformance`, () => {
      before(setupTestBackend);

      test('meta: description, strict schema with additionalProperties: false, defaults accepted', () => {
        assert.equal(typeof contribution.create, 'function', 'create must be a function');
        checkMeta(id, contribution.meta);
      });

      for (const c of cases.invalid ?? []) {
        test(`invalid ${JSON.stringify(c.options ?? {})}${c.layout ? ` on ${JSON.stringify(c.layout)}` : ''}: ${c.code}`, async () => {
          await expectCoded(() => this.create(id, contribution, c.options ?? {}, c.layout ?? this.layouts[0]!), c.code, 'create');
        });
      }

      for (const options of valid) {
        const label = JSON.stringify(options);
        test(`valid ${label}: outputs keep their inputs' shapes in training and inference, in regular and every declared mode`, async () => {
          for (const layout of this.layouts) {
            await this.withBlock(id, contribution, options, layout, (block) => {
              for (const mode of modesOf(block, layout.length, cases)) {
                for (const training of [true, false]) withMode(layout, mode, (extra) => this.checkShapes(block, layout, { training, mode, ...extra }));
              }
            });
          }
        });

        test(`valid ${label}: gradients reach every branch${crossModal ? ' (across modalities)' : ' (own modality only)'} and every trainable variable`, async () => {
          for (const layout of this.layouts) {
            await this.withBlock(id, contribution, options, layout, (block) => {
              this.checkFlow(block, layout, { training: true, mode: REGULAR }, crossModal ? 'all' : 'own');
              this.checkVariableGradients(block, layout);
            });
          }
        });

        test(`valid ${label}: partner ablation (when declared) makes each output depend on its own modality only`, async (t) => {
          for (const layout of this.layouts) {
            await this.withBlock(id, contribution, options, layout, (block) => {
              if (!hasPartnerAblation(block, cases)) {
                t.skip('the block declares no partner-ablation capability');
                return;
              }
              const mode: ForwardMode = { kind: 'ablate-partner' };
              for (const training of [true, false]) withMode(layout, mode, (extra) => this.checkFlow(block, layout, { training, mode, ...extra }, 'own'));
            });
          }
        });

        test(`valid ${label}: parameter groups and names, seeded init, stateDict round trip`, async () => {
          for (const layout of this.layouts) {
            const n = layout.length;
            const prefix = 'fusion.0.';
            const a = await this.create(id, contribution, options, layout, this.seed);
            const b = await this.create(id, contribution, options, layout, this.seed);
            try {
              checkVariables(a.variables(), prefix, (v) => groupProblem(v, n));
              assert.deepEqual(snapshot(b.variables()), snapshot(a.variables()), 'the same rng seed must give the same initial variables');
              if (a.variables().some((v) => v.trainable)) {
                const other = await this.create(id, contribution, options, layout, this.seed + 1);
                try {
                  assert.notDeepEqual(snapshot(other.variables()), snapshot(a.variables()), 'another rng seed must give other initial variables');
                } finally {
                  other.dispose();
                }
              }
              this.checkResume(a, b, layout);
            } finally {
              a.dispose();
              b.dispose();
            }
          }
        });

        test(`valid ${label}: no tensor leaks (create, apply in every mode, dispose)`, async () => {
          for (const layout of this.layouts) {
            const before = tf.memory().numTensors;
            await this.withBlock(id, contribution, options, layout, (block) => {
              for (const mode of modesOf(block, layout.length, cases)) {
                for (const training of [true, false]) {
                  const inputs = this.inputs(layout);
                  withMode(layout, mode, (extra) => tf.dispose(tf.tidy(() => block.apply(inputs, { training, mode, ...extra }))));
                  tf.dispose(inputs);
                }
              }
            });
            assert.equal(tf.memory().numTensors - before, 0, `tensors leaked with layout ${JSON.stringify(layout)}`);
          }
        });
      }
    });
  }

  private async create(id: string, contribution: FusionContribution, options: JsonObject, layout: FeatureLayout, seed = this.seed): Promise<FusionBlock> {
    const ctx: FusionContext = {
      channels: layout.map((s) => s[s.length - 1]!),
      shapes: layout.map((s) => [...s]),
      position: 0,
      namePrefix: 'fusion.0.',
      rng: Rng.fromSeed(seed, 'init'),
    };
    return contribution.create(resolved(id, contribution.meta, options, '/model/fusion/options'), ctx);
  }

  private async withBlock(
    id: string,
    contribution: FusionContribution,
    options: JsonObject,
    layout: FeatureLayout,
    fn: (block: FusionBlock) => void,
  ): Promise<void> {
    const block = await this.create(id, contribution, options, layout);
    try {
      fn(block);
    } finally {
      block.dispose();
    }
  }

  private inputs(layout: FeatureLayout, seed = this.seed): tf.Tensor[] {
    return layout.map((s, k) => randn([this.batchSize, ...s], seed * 101 + k));
  }

  private checkShapes(block: FusionBlock, layout: FeatureLayout, ctx: FusionForwardContext): void {
    const inputs = this.inputs(layout);
    try {
      tf.tidy(() => {
        const out = block.apply(inputs, ctx);
        const what = `${JSON.stringify(ctx.mode)} (training: ${ctx.training})`;
        assert.equal(out.length, layout.length, `${what}: one output per modality`);
        out.forEach((o, k) => {
          assert.deepEqual(o.shape, inputs[k]!.shape, `${what}: output ${k} must have its input's shape`);
          assert.ok(allFinite(o), `${what}: output ${k} must be finite`);
        });
      });
    } finally {
      tf.dispose(inputs);
    }
  }

  /** d(output k)/d(input j) is non-zero for j = k, and for j ≠ k exactly when `expect` is `all`. */
  private checkFlow(block: FusionBlock, layout: FeatureLayout, ctx: FusionForwardContext, expect: 'all' | 'own'): void {
    const inputs = this.inputs(layout);
    const n = layout.length;
    try {
      for (let k = 0; k < n; k++) {
        const weight = randn([this.batchSize, ...layout[k]!], 7 + k);
        // The zero term connects every input to the loss, so an input the output does not depend on gets an all-zero
        // gradient instead of an error from tf.grads.
        const grads = tf.grads((...xs: tf.Tensor[]) =>
          tf.add(tf.sum(tf.mul(block.apply(xs, ctx)[k]!, weight)), tf.mul(0, tf.addN(xs.map((x) => tf.sum(x))))),
        )(inputs);
        grads.forEach((g, j) => {
          const size = maxAbs(g);
          const what = `${JSON.stringify(ctx.mode)} (training: ${ctx.training}): gradient of output ${k} to input ${j}`;
          if (j === k || expect === 'all') assert.ok(size > 0, `${what} must not be zero`);
          else assert.equal(size, 0, `${what} must be zero`);
        });
        tf.dispose([weight, ...grads]);
      }
    } finally {
      tf.dispose(inputs);
    }
  }

  private checkVariableGradients(block: FusionBlock, layout: FeatureLayout): void {
    const trainable = block.variables().filter((v) => v.trainable);
    if (trainable.length === 0) return;
    const inputs = this.inputs(layout);
    const weights = layout.map((s, k) => randn([this.batchSize, ...s], 31 + k));
    try {
      const { value, grads } = tf.variableGrads(
        () => tf.addN(block.apply(inputs, { training: true, mode: REGULAR }).map((o, k) => tf.sum(tf.mul(o, weights[k]!)))) as tf.Scalar,
        trainable.map((v) => v.variable),
      );
      value.dispose();
      for (const v of trainable) {
        const g = grads[v.variable.name];
        assert.ok(g, `trainable variable "${v.name}" must receive a gradient`);
        assert.ok(allFinite(g) && maxAbs(g) > 0, `the gradient of trainable variable "${v.name}" must be finite and not all zero`);
      }
      tf.dispose(Object.values(grads));
    } finally {
      tf.dispose([...inputs, ...weights]);
    }
  }

  /**
   * `a` trains a few forwards; `b` (same seed) gets `a`'s variables and its stateDict through JSON; one more training
   * forward on both must give the same outputs and the same variables.
   */
  private checkResume(a: FusionBlock, b: FusionBlock, layout: FeatureLayout): void {
    for (let s = 0; s < 3; s++) {
      const inputs = this.inputs(layout, this.seed + 10 + s);
      tf.dispose(tf.tidy(() => a.apply(inputs, { training: true, mode: REGULAR })));
      tf.dispose(inputs);
    }
    if (a.stateDict) {
      const state = a.stateDict();
      const json: unknown = JSON.parse(JSON.stringify(state));
      assert.deepEqual(json, state, 'stateDict must be plain JSON (no NaN, undefined, class instances)');
      assert.equal(typeof b.loadStateDict, 'function', 'a block with stateDict must have loadStateDict');
      b.loadStateDict!(json as Record<string, unknown>);
    }
    const target = new Map(b.variables().map((v) => [v.name, v.variable]));
    for (const v of a.variables()) target.get(v.name)!.assign(v.variable);
    const inputs = this.inputs(layout, this.seed + 20);
    try {
      const [oa, ob] = [a, b].map((blk) => tf.tidy(() => blk.apply(inputs, { training: true, mode: REGULAR }).map((o) => Array.from(o.dataSync()))));
      assert.deepEqual(ob, oa, 'a fresh block given the variables and stateDict must continue exactly as the original');
      assert.deepEqual(snapshot(b.variables()), snapshot(a.variables()), 'after one more training forward, the variables (running statistics) must agree');
    } finally {
      tf.dispose(inputs);
    }
  }
}

/** The group a fusion variable may carry: `fusion/k` for an existing modality k, or `fusion/shared`. */
function groupProblem(v: NamedVariable, n: number): string | null {
  if (v.group === undefined) return 'a fusion variable must declare its group (fusion/k or fusion/shared)';
  if (v.group === 'fusion/shared') return null;
  const m = /^fusion\/(\d+)$/.exec(v.group);
  if (!m || Number(m[1]) >= n) return `group "${v.group}" must be fusion/k with k in [0, ${n}) or fusion/shared`;
  return null;
}

/**
 * What a block declares about forward modes (`FusionBlock.modes`, `FusionBlock.partnerAblation`), read structurally so
 * the kit also checks blocks written against the earlier interface, whose modes come from the cases alone.
 */
interface ModeDeclaration {
  readonly modes?: readonly string[];
  readonly partnerAblation?: boolean;
}

/**
 * The forward modes to check, `regular` first. With `block.modes`: every declared kind (`rebalance` once per
 * modality; another kind as the cases give it, else bare `{ kind }`), and a mode in the cases that the block does not
 * declare is a mistake in the test. Without it: the cases' modes (rebalance only of existing modalities).
 */
function modesOf(block: FusionBlock, n: number, cases: FusionCases): ForwardMode[] {
  const listed = (cases.modes ?? []).filter((m) => m.kind !== 'regular');
  const declared = (block as ModeDeclaration).modes;
  if (!declared) return [REGULAR, ...listed.filter((m) => m.kind !== 'rebalance' || rebalanced(m) < n)];
  for (const m of listed) assert.ok(declared.includes(m.kind), `the cases list mode "${m.kind}", which the block does not declare in modes [${declared.join(', ')}]`);
  const out: ForwardMode[] = [REGULAR];
  for (const kind of declared) {
    if (kind === 'regular') continue;
    if (kind === 'rebalance') for (let k = 0; k < n; k++) out.push({ kind: 'rebalance', modality: k } as ForwardMode);
    else {
      const given = listed.filter((m) => m.kind === kind);
      out.push(...(given.length > 0 ? given : [{ kind } as unknown as ForwardMode]));
    }
  }
  return out;
}

function rebalanced(mode: ForwardMode): number {
  return Number((mode as { modality?: unknown }).modality);
}

/** Partner ablation: declared by the block (`partnerAblation`) or, for blocks without the flag, by the cases. */
function hasPartnerAblation(block: FusionBlock, cases: FusionCases): boolean {
  return (block as ModeDeclaration).partnerAblation === true || (cases.modes ?? []).some((m) => m.kind === 'ablate-partner');
}

/**
 * Runs `fn` with what a forward in `mode` needs besides `training` and `mode`, and frees it after. The one place that
 * knows what a mode needs: `ablate-partner` takes per-modality partner means (today `squeezeMeans`, here zeros of
 * the channel counts).
 */
function withMode(layout: FeatureLayout, mode: ForwardMode, fn: (extra: Partial<FusionForwardContext>) => void): void {
  const squeezeMeans = mode.kind === 'ablate-partner' ? layout.map((s) => tf.zeros([s[s.length - 1]!]) as tf.Tensor1D) : undefined;
  try {
    fn(squeezeMeans ? { squeezeMeans } : {});
  } finally {
    if (squeezeMeans) tf.dispose(squeezeMeans);
  }
}
