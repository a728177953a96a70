import { rmSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isUngreedyError } from '../contract/errors/errors.js';
import type { ErrorCode } from '../contract/errors/errors.js';
import { Rng } from '../contract/rng/rng.js';
import type { ForwardMode } from '../contract/model/fusion-block.js';
import type { PluginManifest, StrategyContribution } from '../contract/plugin/manifest.js';
import type {
  BalancingStrategy,
  EpochContext,
  FuseContext,
  GradientsByGroup,
  ParamGradient,
  StepContext,
  StrategyContext,
} from '../contract/strategy/balancing-strategy.js';
import type { JsonObject } from '../contract/util/json.js';
import { definePlugin } from '../contract/plugin/define-plugin.js';
import { checkPlugin, type PluginPackageJson } from './check-plugin.js';
import { HookRecorder } from './hook-recorder.js';
import { trainTiny } from './train-tiny.js';
import type { TinyRun } from './train-tiny.js';
import { driveStrategy } from './drive-strategy.js';
import type { StepTrace } from './drive-strategy.js';
import { LossFixture } from './loss-fixture.js';
import { compileSchema } from '../engine/config/ajv.js';
import { resolveOptions, strictSchemaProblem } from './resolve-options.js';
import { setupTestBackend } from './test-backend.js';
import { silentLogger } from './silent-logger.js';
import { SpeedScript } from './speed-script.js';
import { errorPointers } from './module-checks.js';

/** Options that must fail, with the error code and (for option errors) the JSON pointer of the bad option. */
export interface InvalidStrategyCase {
  readonly options: JsonObject;
  readonly code: ErrorCode;
  /**
   * The bad option's pointer inside the options, e.g. `/threshold`: the error's `data.issues[].pointer` (or
   * `data.pointer`) must be `/strategy/options/threshold` (config validation) or `/threshold`.
   */
  readonly path?: string;
  /** Model size to create for; default the tester's first. */
  readonly numModalities?: number;
}

export interface StrategyCases {
  /** Option objects (merged over the defaults) that must be accepted; `{}` (the defaults) is always checked. */
  readonly valid: readonly JsonObject[];
  readonly invalid: readonly InvalidStrategyCase[];
  /** The plugin that contributes the strategy: checked with {@link checkPlugin}. */
  readonly plugin?: PluginManifest;
  /** The plugin's `package.json`: with `plugin`, its name, version and core peer range must agree with the manifest. */
  readonly packageJson?: PluginPackageJson;
}

export interface StrategyTesterOptions {
  /** Model sizes each valid case is created and driven for. Default [2, 3]. */
  readonly numModalities?: readonly number[];
  readonly epochs?: number;
  readonly stepsPerEpoch?: number;
  readonly seed?: number;
  /** Steps of the tensor-leak check. */
  readonly leakSteps?: number;
  /** Also train a tiny two-modality experiment with the real engine (`trainTiny`) for this many epochs; 0 skips. */
  readonly trainEpochs?: number;
  /** Model settings the strategy needs (MLA: `heads: 'shared'`): the fixture and the real tiny runs are built with them. */
  readonly model?: { readonly heads?: 'separate' | 'shared' };
}

/**
 * The conformance suite for a balancing strategy (STYLE.md H13), after ESLint's RuleTester: it registers
 * `node:test` tests that check the contribution's contract, not only its outputs.
 * - meta: a description; a non-empty strict JSON Schema with `additionalProperties: false` that accepts the defaults;
 * - each valid case is accepted and `create` succeeds; each invalid case fails with its code and path;
 * - hooks respect the mode contract: training modes are `regular` or `rebalance` of an existing modality,
 *   masks name known groups, observers return nothing and leave the gradients alive, the loss is a finite scalar;
 * - the same seed gives the same decisions;
 * - `stateDict` survives JSON and a fresh instance loaded with it decides exactly as the original would have,
 *   resumed at an epoch boundary and mid-epoch (a strategy without `stateDict` must then be stateless);
 * - `tf.memory().numTensors` stays flat over many steps;
 * - the plugin manifest, when given, passes {@link checkPlugin};
 * - a few epochs of a real tiny run (`trainTiny`: core's model, trainer, probe and run folder) complete, with the
 *   hooks called in `HOOKS` order and the epoch records counting exactly the modes the strategy chose; and the
 *   same run stopped an epoch early and resumed from its checkpoint repeats it exactly.
 * Steps are driven with core's hook order on a tiny differentiable fixture and a scripted learning-speed probe,
 * on the test backend (`setupTestBackend`).
 *
 * @example
 * new StrategyTester().run('guided', plugin.strategies.guided, {
 *   plugin,
 *   valid: [{ threshold: 0.1 }, { rebalanceUpdates: 'helped-branch' }],
 *   invalid: [{ options: { threshold: -1 }, code: 'UNG_ERR_CONFIG_INVALID', path: '/threshold' }],
 * });
 */
export class StrategyTester {
  private readonly sizes: readonly number[];
  private readonly epochs: number;
  private readonly stepsPerEpoch: number;
  private readonly seed: number;
  private readonly leakSteps: number;
  private readonly trainEpochs: number;
  private readonly model: { readonly heads?: 'separate' | 'shared' };

  constructor(options: StrategyTesterOptions = {}) {
    this.sizes = options.numModalities ?? [2, 3];
    this.epochs = options.epochs ?? 3;
    this.stepsPerEpoch = options.stepsPerEpoch ?? 8;
    this.seed = options.seed ?? 1;
    this.leakSteps = options.leakSteps ?? 40;
    this.trainEpochs = options.trainEpochs ?? 3;
    this.model = options.model ?? {};
  }

  run(id: string, contribution: StrategyContribution, cases: StrategyCases): void {
    const valid = [{}, ...cases.valid.filter((o) => Object.keys(o).length > 0)];
    describe(`strategy "${id}" conformance`, () => {
      before(setupTestBackend);

      test('meta: description, strict schema with additionalProperties: false, defaults accepted', () => {
        const { meta } = contribution;
        assert.equal(typeof contribution.create, 'function', 'create must be a function');
        assert.ok(typeof meta.docs?.description === 'string' && meta.docs.description.length > 0, 'meta.docs.description must be a sentence');
        assert.ok(meta.schema && typeof meta.schema === 'object' && !Array.isArray(meta.schema), 'meta.schema must be an object');
        assert.notDeepEqual(meta.schema, {}, 'meta.schema must not be empty; a strategy without options declares { type: "object", additionalProperties: false }');
        assert.equal(meta.schema['additionalProperties'], false, 'meta.schema.additionalProperties must be false');
        assert.equal(meta.schema['type'], 'object', 'meta.schema.type must be "object"');
        compileSchema(meta.schema);
        const strict = strictSchemaProblem(meta.schema);
        assert.equal(strict, null, `meta.schema must pass Ajv's strict mode (unknown keywords are usually typos): ${strict}`);
        assert.ok(meta.defaultOptions !== null && typeof meta.defaultOptions === 'object', 'meta.defaultOptions must be an object');
        resolveOptions(id, meta, {});
      });

      if (cases.plugin) {
        const plugin = cases.plugin;
        test('plugin manifest: identity, coreApi range, contributions', () => {
          assert.deepEqual(checkPlugin(plugin, cases.packageJson ? { packageJson: cases.packageJson } : {}), []);
          assert.equal(plugin.strategies?.[id], contribution, `plugin.strategies["${id}"] must be this contribution`);
        });
      }

      for (const options of valid) {
        const label = JSON.stringify(options);
        test(`valid ${label}: created for ${this.sizes.join(', ')} modalities, hooks keep the mode contract`, async () => {
          for (const n of this.sizes) {
            const strategy = await this.create(id, contribution, options, n);
            assert.ok(
              strategy.evaluationMode === 'regular' || strategy.evaluationMode === 'as-training',
              `evaluationMode must be "regular" or "as-training", but got ${JSON.stringify(strategy.evaluationMode)}`,
            );
            const fixture = new LossFixture(n, { seed: this.seed, ...this.model });
            try {
              const trace = await this.drive(checkedHooks(strategy, n, fixture.groups()), n, fixture, 0, this.totalSteps());
              for (const t of trace) {
                assert.ok(t.loss !== null && Number.isFinite(t.loss), `step ${t.step}: the loss must be finite, but got ${t.loss}`);
              }
            } finally {
              fixture.dispose();
            }
          }
        });

        test(`valid ${label}: the same seed gives the same decisions`, async () => {
          const n = this.sizes[0]!;
          const a = await this.traceOf(id, contribution, options, n);
          const b = await this.traceOf(id, contribution, options, n);
          assert.deepEqual(b, a);
        });

        test(`valid ${label}: stateDict round-trips through JSON and a resumed instance decides the same`, async () => {
          for (const n of this.sizes) await this.checkResume(id, contribution, options, n);
        });
      }

      for (const c of cases.invalid) {
        test(`invalid ${JSON.stringify(c.options)}: ${c.code}${c.path ? ` at ${c.path}` : ''}`, async () => {
          const n = c.numModalities ?? this.sizes[0]!;
          await assert.rejects(
            async () => this.create(id, contribution, c.options, n),
            (err: unknown) => {
              assert.ok(isUngreedyError(err), `expected an UngreedyError, but got ${String(err)}`);
              assert.equal(err.code, c.code);
              if (c.path) {
                const paths = errorPointers(err.data);
                assert.ok(paths.some((p) => p === c.path || p.endsWith(`/options${c.path}`)), `expected pointer ${c.path} in ${JSON.stringify(err.data)}`);
              }
              return true;
            },
          );
        });
      }

      test(`no tensor leaks over ${this.leakSteps} steps`, async () => {
        for (const n of this.sizes) {
          const strategy = await this.create(id, contribution, {}, n);
          const fixture = new LossFixture(n, { seed: this.seed, ...this.model });
          try {
            const speed = new SpeedScript(n, this.seed);
            const rng = Rng.fromSeed(this.seed, 'strategy');
            const common = { numModalities: n, stepsPerEpoch: this.stepsPerEpoch, rng, fixture, speed: (m: ForwardMode) => speed.next(m) };
            await driveStrategy(strategy, { ...common, toStep: 3 });
            const before = tf.memory().numTensors;
            await driveStrategy(strategy, { ...common, fromStep: 3, toStep: 3 + this.leakSteps });
            assert.equal(tf.memory().numTensors - before, 0, `tensors leaked over ${this.leakSteps} steps with ${n} modalities`);
          } finally {
            fixture.dispose();
          }
        }
      });

      if (this.trainEpochs > 0) {
        test(`trains ${this.trainEpochs} epochs with the real engine: hooks in HOOKS order, modes recorded as chosen`, async () => {
          await this.checkTraining(contribution);
        });
      }
      if (this.trainEpochs > 1) {
        test('resumed from a real checkpoint, a run repeats the uninterrupted run exactly', async () => {
          await this.checkRealResume(contribution);
        });
      }
    });
  }

  /** Trains E epochs; trains E − 1 and resumes to E in the same folder; the records and test metrics must match. */
  private async checkRealResume(contribution: StrategyContribution): Promise<void> {
    const plugin = definePlugin({
      meta: { name: 'ungreedy-testing-under-test', version: '0.0.0', namespace: 'kit', coreApi: '^2.0.0' },
      strategies: { 'under-test': contribution },
    });
    const config = (epochs: number): JsonObject => ({ seed: this.seed, model: { ...this.model }, strategy: { use: 'under-test', options: {} }, train: { epochs } });
    const whole = await trainTiny({ plugins: [plugin], config: config(this.trainEpochs) });
    const part = await trainTiny({ plugins: [plugin], config: config(this.trainEpochs - 1) });
    try {
      const resumed = await trainTiny({ plugins: [plugin], config: config(this.trainEpochs), dir: part.dir, resume: true });
      const comparable = (run: TinyRun) => run.epochs.map(({ seconds: _seconds, ...rest }) => rest);
      assert.deepEqual(comparable(resumed), comparable(whole));
      assert.deepEqual(resumed.summary.test, whole.summary.test);
      assert.deepEqual(resumed.summary.utilization, whole.summary.utilization);
    } finally {
      rmSync(whole.dir, { recursive: true, force: true });
      rmSync(part.dir, { recursive: true, force: true });
    }
  }

  /** A real run on the tiny dataset (core's model, trainer and run folder), the strategy wrapped in a recorder. */
  private async checkTraining(contribution: StrategyContribution): Promise<void> {
    const recorder = new HookRecorder();
    let declared: BalancingStrategy['evaluationMode'] | null = null;
    const recorded: StrategyContribution = {
      meta: contribution.meta,
      create: async (options, ctx) => {
        const strategy = await contribution.create(options, ctx);
        declared = strategy.evaluationMode;
        return recorder.wrap(strategy);
      },
    };
    // A fixed id, so a strategy under test may share its id with a built-in (vanilla).
    const plugin = definePlugin({
      meta: { name: 'ungreedy-testing-under-test', version: '0.0.0', namespace: 'kit', coreApi: '^2.0.0' },
      strategies: { 'under-test': recorded },
    });
    const run = await trainTiny({
      plugins: [plugin],
      config: { seed: this.seed, model: { ...this.model }, strategy: { use: 'under-test', options: {} }, train: { epochs: this.trainEpochs } },
    });
    try {
      assert.equal(run.summary.status, 'completed', `the run failed: ${JSON.stringify(run.summary.error)}`);
      assert.deepEqual(recorder.orderProblems(), []);
      assert.equal(run.epochs.length, this.trainEpochs);
      for (const record of run.epochs) {
        const chosen: Record<string, number> = {};
        for (const c of recorder.calls) {
          if (c.hook === 'chooseForwardMode' && c.epoch === record.epoch) chosen[c.result as string] = (chosen[c.result as string] ?? 0) + 1;
        }
        assert.deepEqual(record.stepsByMode, chosen, `epoch ${record.epoch}: stepsByMode must count the modes chooseForwardMode returned`);
        if (declared === 'regular') assert.equal(record.evalMode.kind, 'regular', `epoch ${record.epoch}: evaluation must run in regular mode`);
        assert.ok(Number.isFinite(record.train.loss), `epoch ${record.epoch}: the training loss must be finite`);
      }
    } finally {
      rmSync(run.dir, { recursive: true, force: true });
    }
  }

  private totalSteps(): number {
    return this.epochs * this.stepsPerEpoch;
  }

  private async create(id: string, contribution: StrategyContribution, options: JsonObject, n: number): Promise<BalancingStrategy> {
    return contribution.create(resolveOptions(id, contribution.meta, options, '/strategy/options'), { numModalities: n, log: silentLogger() });
  }

  private async drive(
    strategy: BalancingStrategy,
    n: number,
    fixture: LossFixture,
    fromStep: number,
    toStep: number,
    state?: { speed: SpeedScript; rng: Rng },
  ): Promise<StepTrace[]> {
    const speed = state?.speed ?? new SpeedScript(n, this.seed);
    const rng = state?.rng ?? Rng.fromSeed(this.seed, 'strategy');
    return driveStrategy(strategy, {
      numModalities: n,
      stepsPerEpoch: this.stepsPerEpoch,
      fromStep,
      toStep,
      rng,
      fixture,
      speed: (mode) => speed.next(mode),
    });
  }

  private async traceOf(id: string, contribution: StrategyContribution, options: JsonObject, n: number): Promise<StepTrace[]> {
    const fixture = new LossFixture(n, { seed: this.seed, ...this.model });
    try {
      return await this.drive(await this.create(id, contribution, options, n), n, fixture, 0, this.totalSteps());
    } finally {
      fixture.dispose();
    }
  }

  /** Runs whole, then runs to a split, saves, loads into a fresh instance and continues; the decisions must match. */
  private async checkResume(id: string, contribution: StrategyContribution, options: JsonObject, n: number): Promise<void> {
    const total = this.totalSteps();
    const fixture = new LossFixture(n, { seed: this.seed, ...this.model });
    try {
      const whole = await this.drive(await this.create(id, contribution, options, n), n, fixture, 0, total);
      // An epoch boundary (the usual checkpoint) and a mid-epoch step (checkpointEverySteps).
      for (const split of [this.stepsPerEpoch * Math.min(2, this.epochs - 1), this.stepsPerEpoch + Math.floor(this.stepsPerEpoch / 2) + 1]) {
        const first = await this.create(id, contribution, options, n);
        const speed = new SpeedScript(n, this.seed);
        const rng = Rng.fromSeed(this.seed, 'strategy');
        await this.drive(first, n, fixture, 0, split, { speed, rng });
        const fresh = await this.create(id, contribution, options, n);
        if (first.stateDict) {
          const state = first.stateDict();
          const json: unknown = JSON.parse(JSON.stringify(state));
          assert.deepEqual(json, state, 'stateDict must be plain JSON (no NaN, undefined, class instances)');
          assert.equal(typeof fresh.loadStateDict, 'function', 'a strategy with stateDict must have loadStateDict');
          fresh.loadStateDict!(json as JsonObject);
        }
        // The trainer restores the probe's accumulators and the RNG streams from the checkpoint.
        const restoredSpeed = new SpeedScript(n, this.seed);
        restoredSpeed.loadStateDict(JSON.parse(JSON.stringify(speed.stateDict())));
        const rest = await this.drive(fresh, n, fixture, split, total, { speed: restoredSpeed, rng: Rng.fromState(rng.state()) });
        assert.deepEqual(
          rest,
          whole.slice(split),
          first.stateDict
            ? `after loading stateDict at step ${split}, the decisions differ from an uninterrupted run`
            : `resumed at step ${split} the decisions differ: the strategy keeps state, so it needs stateDict/loadStateDict`,
        );
      }
    } finally {
      fixture.dispose();
    }
  }
}

/** Wraps a strategy so every hook answer is checked against the contract as the trainer would use it. */
function checkedHooks(inner: BalancingStrategy, n: number, groups: readonly string[]): BalancingStrategy {
  const known = new Set(groups);
  const observer = (hook: string, result: unknown): void => {
    assert.equal(result, undefined, `${hook} is an observer and must return nothing, but returned ${String(result)}`);
  };
  const outer: BalancingStrategy = {
    evaluationMode: inner.evaluationMode,
    onEpochBegin: async (ctx: EpochContext) => observer('onEpochBegin', await inner.onEpochBegin?.(ctx)),
    chooseForwardMode: (ctx: StrategyContext) => {
      const mode = inner.chooseForwardMode?.(ctx) ?? { kind: 'regular' };
      const m = mode['modality'];
      const ok =
        mode.kind === 'regular' ||
        (mode.kind === 'rebalance' && typeof m === 'number' && Number.isInteger(m) && m >= 0 && m < n) ||
        (typeof mode.kind === 'string' && mode.kind.length > 0 && mode.kind !== 'rebalance');
      assert.ok(ok, `chooseForwardMode at step ${ctx.step} must return a mode with a kind (rebalance needs a modality in [0, ${n})), but got ${JSON.stringify(mode)}`);
      return mode;
    },
    onAfterBackward: async (grads, ctx: StepContext) => {
      observer('onAfterBackward', await inner.onAfterBackward?.(grads, ctx));
      for (const [group, list] of grads) {
        for (const g of list) assert.ok(!g.grad.isDisposed, `onAfterBackward at step ${ctx.step} disposed a gradient of ${group}`);
      }
    },
    updateMask: (ctx: StepContext) => {
      const mask = inner.updateMask?.(ctx);
      if (mask !== undefined) {
        assert.ok(mask instanceof Set, `updateMask at step ${ctx.step} must return a Set or undefined`);
        for (const g of mask) assert.ok(known.has(g), `updateMask at step ${ctx.step} returned unknown group "${g}"; known: ${[...known].join(', ')}`);
      }
      return mask;
    },
    onEpochEnd: async (ctx: EpochContext) => observer('onEpochEnd', await inner.onEpochEnd?.(ctx)),
  };
  if (inner.wrapLoss) outer.wrapLoss = (input, ctx) => inner.wrapLoss!(input, ctx);
  if (inner.lossTerms) outer.lossTerms = (input, ctx) => inner.lossTerms!(input, ctx);
  if (inner.onValidationEnd) {
    outer.onValidationEnd = async (result, ctx) => observer('onValidationEnd', await inner.onValidationEnd!(result, ctx));
  }
  if (inner.transformGradients) {
    outer.transformGradients = (grads: GradientsByGroup, ctx: StepContext) => {
      const out = inner.transformGradients!(grads, ctx);
      checkTransformed(grads, out, ctx.step);
      return out;
    };
  }
  if (inner.fuseLogits) {
    outer.fuseLogits = (heads, ctx: FuseContext) => {
      const out = inner.fuseLogits!(heads, ctx);
      const want = heads[0]!.shape;
      assert.ok(
        out instanceof tf.Tensor && out.rank === 2 && out.shape[0] === want[0] && out.shape[1] === want[1],
        `fuseLogits must return logits of shape [${want.join(', ')}], but got ${out instanceof tf.Tensor ? `[${out.shape.join(', ')}]` : String(out)}`,
      );
      return out;
    };
  }
  return outer;
}

/** transformGradients must return a Map of the input's groups (or a subset) with each parameter's own shape. */
function checkTransformed(grads: GradientsByGroup, out: GradientsByGroup, step: number): void {
  assert.ok(out instanceof Map, `transformGradients at step ${step} must return a Map, but got ${String(out)}`);
  for (const [group, list] of out) {
    const known = grads.get(group);
    assert.ok(known, `transformGradients at step ${step} returned group "${group}", which had no gradients`);
    for (const p of list) {
      const orig: ParamGradient | undefined = known.find((q) => q.name === p.name);
      assert.ok(orig, `transformGradients at step ${step} returned parameter "${p.name}", not in group "${group}"`);
      assert.ok(p.grad instanceof tf.Tensor && !p.grad.isDisposed, `transformGradients at step ${step} returned no live tensor for "${p.name}"`);
      assert.deepEqual(p.grad.shape, [...orig.shape], `transformGradients at step ${step} changed the shape of "${p.name}"`);
    }
  }
  for (const list of grads.values()) {
    for (const p of list) assert.ok(!p.grad.isDisposed, `transformGradients at step ${step} disposed the input gradient of "${p.name}"`);
  }
}
