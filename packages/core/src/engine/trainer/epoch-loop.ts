import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { Batch, Dataset } from '../../contract/data/dataset.js';
import { REGULAR, type ForwardMode } from '../../contract/model/fusion-block.js';
import type { NamedVariable } from '../../contract/model/module.js';
import type { ModelOutput, MultiModalModel } from '../model/multimodal-model.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import type { LearningSpeedProbe } from '../eval/learning-speed.js';
import { baseLossOf, crossEntropy } from '../eval/loss.js';
import { Rng } from '../../contract/rng/rng.js';
import type { StepRecord } from '../run/metric-records.js';
import type { TrainLoss } from '../config/experiment-config.js';
import type {
  GradientsByGroup,
  GroupNorm,
  LearningSpeed,
  LossInput,
  MaskedForward,
  ModalityMask,
  ParamGradient,
  StepContext,
  StrategyContext,
  StrategyDataAccess,
} from '../../contract/strategy/balancing-strategy.js';
import { batchTensors, fusedBy, type FuseFn } from '../eval/evaluate-pass.js';
import type { HookRunner } from './hook-runner.js';
import type { Optimizer } from './optimizer.js';
import { sumOfSquares } from '@ungreedy/backend';

/** What one training step needs from the run. */
export interface StepDeps {
  readonly model: MultiModalModel;
  /** Trainable variables, each with its group. */
  readonly trainable: readonly NamedVariable[];
  readonly hooks: HookRunner;
  readonly optimizer: Optimizer;
  readonly probe: LearningSpeedProbe;
  readonly modalities: readonly number[];
  readonly shapes: readonly (readonly number[])[];
  /** The training split's mean inputs, for `forwardMasked` with `train-mean` (computed once per run by the caller). */
  readonly trainMeans?: () => readonly tf.Tensor[];
  /** `train.loss`: what LossInput.baseLoss is (default `heads` = Σ_k CE of the heads). */
  readonly loss?: TrainLoss;
}

export interface StepResult {
  readonly mode: ForwardMode;
  readonly loss: number;
  readonly fused: Int32Array;
  readonly heads: Int32Array[];
  /** Batch-mean CE of the fused output and of each head. */
  readonly losses: { readonly fused: number; readonly heads: readonly number[] };
  readonly speed: LearningSpeed;
  readonly record: StepRecord;
}

/**
 * One training step (the order of BalancingStrategyHooks, docs/hooks.md): chooseForwardMode → forward and loss
 * (wrapLoss) inside `tf.variableGrads` → one reduction per parameter group (Σ||g||², Σ||θ||²), downloaded with
 * the loss, the predictions and the heads' softmax in a single read → divergence check → learning-speed probe
 * (on the unmodified gradients) → onAfterBackward → transformGradients → updateMask → optimizer step. Without
 * transformGradients the optimizer gets the very gradient tensors of the backward pass. Every tensor it makes is
 * freed before it returns.
 */
export async function trainStep(deps: StepDeps, batch: Batch, ctx: StrategyContext): Promise<StepResult> {
  const { model, trainable, hooks, optimizer, probe } = deps;
  const { byTfName, groups } = indexVariables(trainable);
  const mode = hooks.chooseForwardMode(ctx);
  const fuse: FuseFn | undefined = hooks.has('fuseLogits') ? (heads, fctx) => hooks.fuseLogits(heads, fctx, ctx) : undefined;
  const { inputs, labels, oneHot } = batchTensors(batch, deps.modalities, deps.shapes, model.numClasses);
  let kept: tf.Tensor2D[] = [];
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  let made: tf.Tensor[] = [];
  const extraGrads: tf.NamedTensorMap[] = [];
  const gradientSets = new Map<string, GradientsByGroup>();
  try {
    const lossInput = (out: ModelOutput): LossInput => {
      const frozenForward = (xs: readonly tf.Tensor[]): MaskedForward =>
        fusedBy(withFrozenState(model, () => model.forward(xs, { training: true, mode })), fuse, 'train', true);
      return {
        fused: out.fused,
        heads: out.heads,
        features: out.features,
        labels,
        oneHot,
        baseLoss: baseLossOf(deps.loss ?? 'heads', out.fused, out.heads, oneHot),
        applyHead: (k, f) => model.applyHead(k, f),
        crossEntropy: (logits) => crossEntropy(logits, oneHot),
        forwardMasked: (mask) => frozenForward(maskedInputs(inputs, mask, model.numModalities, ctx, deps.trainMeans)),
      };
    };
    ({ value, grads } = tf.variableGrads(() => {
      const out = fusedBy(model.forward(inputs, { training: true, mode }), fuse, 'train', true);
      const loss = hooks.wrapLoss(lossInput(out), { ...ctx, mode });
      kept = [out.fused, ...out.heads].map((t) => tf.keep(t));
      return loss;
    }, trainable.map((v) => v.variable)));
    if (hooks.has('lossTerms')) {
      // One forward + backward per term (docs/hooks.md "Several gradient sets"), each without updating batch-norm
      // statistics or fusion running means; lossTerms is asked once per pass and must name the same terms.
      let names: string[] | undefined;
      for (let j = 0; names === undefined || j < names.length; j++) {
        const pass = tf.variableGrads(() => {
          const out = fusedBy(withFrozenState(model, () => model.forward(inputs, { training: true, mode })), fuse, 'train', true);
          const terms = hooks.lossTerms(lossInput(out), { ...ctx, mode });
          const got = Object.keys(terms).sort();
          if (names === undefined) names = got;
          else if (got.join('\u0000') !== names.join('\u0000')) {
            throw new UngreedyError(
              'UNG_ERR_HOOK_FAILED',
              `hook "lossTerms" should name the same terms in every pass of a step, but got [${got.join(', ')}] after [${names.join(', ')}] at step ${ctx.step}. Return the same keys every time.`,
              { plugin: 'strategy', hook: 'lossTerms', epoch: ctx.epoch, step: ctx.step },
            );
          }
          return names.length === 0 ? tf.scalar(0) : terms[names[j]!]!;
        }, trainable.map((v) => v.variable));
        pass.value.dispose();
        if (names!.length === 0) {
          tf.dispose(Object.values(pass.grads));
          break;
        }
        extraGrads.push(pass.grads);
        gradientSets.set(names![j]!, gradientsByGroup(pass.grads, trainable, byTfName));
      }
    }

    const packed = tf.tidy(() => {
      const parts: tf.Tensor[] = [tf.reshape(value!, [1])];
      for (const [, members] of groups) {
        const gradSq = members.flatMap((v) => (grads[v.variable.name] ? [sumOfSquares(grads[v.variable.name]!)] : []));
        const weightSq = members.map((v) => sumOfSquares(v.variable));
        parts.push(tf.reshape(gradSq.length ? tf.addN(gradSq) : tf.scalar(0), [1]), tf.reshape(tf.addN(weightSq), [1]));
      }
      for (const logits of kept) parts.push(tf.cast(tf.argMax(logits, 1), 'float32'));
      for (const logits of kept.slice(1)) parts.push(tf.reshape(tf.softmax(logits), [-1]));
      // CE of the fused output and of each head, for the epoch's SplitSummary (onValidationEnd).
      for (const logits of kept) parts.push(tf.reshape(crossEntropy(logits, oneHot), [1]));
      return tf.concat(parts);
    });
    const values = await packed.data();
    packed.dispose();

    const loss = values[0]!;
    if (!Number.isFinite(loss)) {
      throw new UngreedyError(
        'UNG_ERR_RUN_DIVERGED',
        `training loss should be finite, but got ${loss} at epoch ${ctx.epoch}, step ${ctx.step}. ` +
          'Lower the learning rate (the run folder keeps its checkpoints, if any were written).',
        { epoch: ctx.epoch, step: ctx.step, loss: String(loss) },
      );
    }
    const norms = new Map<ParamGroupId, GroupNorm>();
    [...groups.keys()].forEach((g, i) => norms.set(g, { gradSq: values[1 + 2 * i]!, weightSq: values[2 + 2 * i]! }));
    const b = batch.size;
    const predStart = 1 + 2 * groups.size;
    const fused = Int32Array.from(values.subarray(predStart, predStart + b));
    const heads = Array.from({ length: model.numModalities }, (_, k) =>
      Int32Array.from(values.subarray(predStart + (k + 1) * b, predStart + (k + 2) * b)),
    );
    const c = model.numClasses;
    const probStart = predStart + (model.numModalities + 1) * b;
    const headProbs = Array.from({ length: model.numModalities }, (_, k) =>
      Float32Array.from(values.subarray(probStart + k * b * c, probStart + (k + 1) * b * c)),
    );
    const lossStart = probStart + model.numModalities * b * c;
    const losses = { fused: values[lossStart]!, heads: Array.from(values.subarray(lossStart + 1, lossStart + 1 + model.numModalities)) };

    const speed = probe.update(norms, mode.kind === 'regular');
    const byGroup = gradientsByGroup(grads, trainable, byTfName);
    const stepCtx: StepContext = {
      ...ctx,
      mode,
      speed,
      groupNorms: norms,
      gradientSets,
      batch: { labels: batch.labels, headProbs, numClasses: c },
    };
    await hooks.onAfterBackward(byGroup, stepCtx);
    const gradsByName = new Map<string, tf.Tensor>();
    if (hooks.has('transformGradients')) {
      const used = hooks.transformGradients(byGroup, stepCtx);
      for (const list of used.values()) for (const p of list) gradsByName.set(p.name, p.grad);
      // Freed with the step: the tensors the hook made (never a parameter, never a backward gradient twice).
      const own = new Set([grads, ...extraGrads].flatMap((g) => Object.values(g)));
      const weights = new Set(trainable.map((v) => v.variable.id));
      made = [...gradsByName.values()].filter((t) => !own.has(t) && !weights.has(t.id));
    } else {
      for (const [name, g] of Object.entries(grads)) gradsByName.set(byTfName.get(name)!.name, g);
    }
    const mask = hooks.updateMask(stepCtx, new Set(trainable.flatMap((v) => (v.group ? [v.group] : []))));
    const only = mask ? new Set(trainable.filter((v) => v.group !== undefined && mask.has(v.group)).map((v) => v.name)) : undefined;
    optimizer.step(gradsByName, only);

    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const record: StepRecord = {
      type: 'step',
      step: ctx.step,
      epoch: ctx.epoch,
      mode,
      loss,
      s: speed.s.map(finite),
      dSpeed: finite(speed.dSpeed),
      mu: { main: speed.step.main, bypass: speed.step.bypass },
    };
    return { mode, loss, fused, heads, losses, speed, record };
  } finally {
    value?.dispose();
    tf.dispose(made);
    tf.dispose(Object.values(grads));
    for (const g of extraGrads) tf.dispose(Object.values(g));
    tf.dispose(kept);
    tf.dispose([...inputs, labels, oneHot]);
  }
}

/**
 * Runs `fn` (a training-mode forward) and then puts back every non-trainable variable (batch-norm running
 * statistics, fusion running means) and the model's non-variable state, so an extra forward pass of a step
 * (forwardMasked, lossTerms) leaves the statistics exactly as the step's main forward left them.
 */
function withFrozenState<T>(model: MultiModalModel, fn: () => T): T {
  const buffers = model.variables().filter((v) => !v.trainable);
  const saved = buffers.map((b) => tf.clone(b.variable));
  const state = model.stateDict();
  try {
    return fn();
  } finally {
    buffers.forEach((b, i) => b.variable.assign(saved[i]!));
    tf.dispose(saved);
    model.loadStateDict(state);
  }
}

/**
 * The step's inputs with `mask.modalities` replaced (docs/hooks.md "Masked forward passes"): zeros, the training
 * split's mean input, or the batch's rows in a permutation drawn from the strategy stream `ctx.rng`.
 */
function maskedInputs(
  inputs: readonly tf.Tensor[],
  mask: ModalityMask,
  numModalities: number,
  ctx: StrategyContext,
  trainMeans: (() => readonly tf.Tensor[]) | undefined,
): tf.Tensor[] {
  const bad = (why: string): never => {
    throw new UngreedyError(
      'UNG_ERR_HOOK_FAILED',
      `forwardMasked ${why}. Pass { modalities: model modality indices in [0, ${numModalities - 1}], fill: 'zeros' | 'train-mean' | 'permute' }.`,
      { plugin: 'strategy', hook: 'forwardMasked', epoch: ctx.epoch, step: ctx.step },
    );
  };
  if (!mask || !Array.isArray(mask.modalities)) bad('needs a mask with a modalities array');
  for (const m of mask.modalities) if (!Number.isInteger(m) || m < 0 || m >= numModalities) bad(`got modality ${String(m)}`);
  if (!['zeros', 'train-mean', 'permute'].includes(mask.fill)) bad(`got fill ${JSON.stringify(mask.fill)}`);
  const means = mask.fill === 'train-mean' ? trainMeans?.() : undefined;
  if (mask.fill === 'train-mean' && !means) bad('with train-mean needs the training split means, which this run did not compute');
  const perm = mask.fill === 'permute' ? tf.tensor1d(ctx.rng.permutation(inputs[0]!.shape[0]!), 'int32') : undefined;
  return inputs.map((x, k) => {
    if (!mask.modalities.includes(k)) return x;
    if (mask.fill === 'zeros') return tf.zerosLike(x);
    if (mask.fill === 'train-mean') return tf.broadcastTo(means![k]!, x.shape);
    return tf.gather(x, perm!);
  });
}

/**
 * Per-modality mean input over the training split ([1, ...shape] each), for `forwardMasked` with `train-mean`:
 * one pass in dataset order without augmentation (draws from no run stream).
 */
export async function trainSplitMeans(
  dataset: Dataset,
  modalities: readonly number[],
  shapes: readonly (readonly number[])[],
  batchSize: number,
): Promise<tf.Tensor[]> {
  const sums = shapes.map((s) => new Float64Array(s.reduce((a, n) => a * n, 1)));
  let n = 0;
  for await (const batch of dataset.batches('train', { batchSize, shuffle: false, augment: false, rng: Rng.fromSeed(0, 'train-means') })) {
    modalities.forEach((m, i) => {
      const x = batch.inputs[m]!;
      const sum = sums[i]!;
      for (let j = 0; j < x.length; j++) sum[j % sum.length]! += x[j]!;
    });
    n += batch.size;
  }
  return sums.map((sum, i) => tf.tensor(Float32Array.from(sum, (v) => v / Math.max(n, 1)), [1, ...shapes[i]!]));
}

/** The backward pass's gradients as {@link GradientsByGroup}: each parameter in model order, with name and value. */
function gradientsByGroup(
  grads: tf.NamedTensorMap,
  trainable: readonly NamedVariable[],
  byTfName: ReadonlyMap<string, NamedVariable>,
): GradientsByGroup {
  const byGroup = new Map<ParamGroupId, ParamGradient[]>();
  for (const v of trainable) {
    const g = grads[v.variable.name];
    if (!g || v.group === undefined || !byTfName.has(v.variable.name)) continue;
    const list = byGroup.get(v.group) ?? [];
    list.push({ name: v.name, shape: v.variable.shape, grad: g, weight: v.variable });
    byGroup.set(v.group, list);
  }
  return byGroup;
}

const variableIndex = new WeakMap<readonly NamedVariable[], { byTfName: Map<string, NamedVariable>; groups: Map<ParamGroupId, NamedVariable[]> }>();

/** The trainable variables by tfjs variable name and by group (in first-seen order), computed once per list. */
function indexVariables(trainable: readonly NamedVariable[]): {
  byTfName: Map<string, NamedVariable>;
  groups: Map<ParamGroupId, NamedVariable[]>;
} {
  let index = variableIndex.get(trainable);
  if (!index) {
    const groups = new Map<ParamGroupId, NamedVariable[]>();
    for (const v of trainable) if (v.group !== undefined) groups.set(v.group, [...(groups.get(v.group) ?? []), v]);
    index = { byTfName: new Map(trainable.map((v) => [v.variable.name, v])), groups };
    variableIndex.set(trainable, index);
  }
  return index;
}

/** What a strategy's extra data pass needs from the run. */
export interface DataAccessDeps {
  readonly model: MultiModalModel;
  readonly dataset: Dataset;
  readonly modalities: readonly number[];
  readonly shapes: readonly (readonly number[])[];
  /** Default batch size of a pass (the run's evaluation batch size). */
  readonly batchSize: number;
  readonly fuse?: FuseFn;
}

/**
 * {@link StrategyDataAccess} over the run's model and dataset: inference mode, no augmentation, dataset order
 * (no stream is drawn from, so an extra pass never changes the run's randomness); every tensor of a batch is
 * freed after `fn` returns.
 */
export function strategyDataAccess(d: DataAccessDeps): StrategyDataAccess {
  return {
    numClasses: d.model.numClasses,
    size: (split) => d.dataset.size(split),
    async forEachBatch(split, fn, options = {}) {
      const batchSize = options.batchSize ?? d.batchSize;
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new Error(`data.forEachBatch needs a positive integer batchSize, but got ${String(batchSize)}`);
      }
      if (d.dataset.size(split) === 0) return;
      const mode = options.mode ?? REGULAR;
      for await (const batch of d.dataset.batches(split, {
        batchSize,
        shuffle: false,
        augment: false,
        rng: Rng.fromSeed(0, 'strategy-data'),
      })) {
        const out = tf.tidy(() => {
          const { inputs } = batchTensors(batch, d.modalities, d.shapes, d.model.numClasses);
          const o = fusedBy(d.model.forward(inputs, { training: false, mode }), d.fuse, 'other', false);
          return { features: [...o.features], heads: [...o.heads], fused: o.fused };
        });
        try {
          await fn({ ...out, labels: batch.labels, indices: batch.indices });
        } finally {
          tf.dispose([...out.features, ...out.heads, out.fused]);
        }
      }
    },
  };
}
