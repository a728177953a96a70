import * as tf from '@tensorflow/tfjs-core';
import { branchGroup, fusionGroup, headGroup, SHARED_FUSION_GROUP, SHARED_HEAD_GROUP } from '../contract/model/param-group.js';
import type { ForwardMode } from '../contract/model/fusion-block.js';
import type { ParamGroupId } from '../contract/model/param-group.js';
import type {
  BalancingStrategy,
  GroupNorm,
  LossInput,
  MaskedForward,
  ModalityMask,
  ParamGradient,
  StepBatch,
  StrategyContext,
} from '../contract/strategy/balancing-strategy.js';
import { Rng } from '../contract/rng/rng.js';

/** What one fixture step hands back: the loss value and the gradients by group (owned by the caller). */
export interface FixtureStep {
  readonly loss: number;
  readonly grads: Map<ParamGroupId, ParamGradient[]>;
  readonly groupNorms: Map<ParamGroupId, GroupNorm>;
  /** The step's labels and head probabilities, as the trainer's StepContext.batch. */
  readonly batch: StepBatch;
  /** The gradients of each `lossTerms` term, by name (empty without `lossTerms`), as StepContext.gradientSets. */
  readonly gradientSets: Map<string, Map<ParamGroupId, ParamGradient[]>>;
}

/**
 * A tiny differentiable multi-modal model with every parameter group core knows (`branch/k`, `head/k`,
 * `fusion/k`, `fusion/shared`), for exercising `wrapLoss` and `onAfterBackward` with real tensors without
 * the trainer: features_k = relu(x_k W_k) ⊙ σ(f_k + shared), heads_k = features_k H_k + b_k,
 * fused = mean_k heads_k. In `rebalance` mode the helped branch's gate is the constant 0.5.
 */
export class LossFixture {
  private readonly inputs: tf.Tensor2D[];
  private readonly labels: tf.Tensor1D;
  private readonly oneHot: tf.Tensor2D;
  private readonly vars: { readonly variable: tf.Variable; readonly group: ParamGroupId; readonly name: string }[] = [];
  private readonly enc: tf.Variable[] = [];
  private readonly headW: tf.Variable[] = [];
  private readonly headB: tf.Variable[] = [];
  private readonly gate: tf.Variable[] = [];
  private readonly shared: tf.Variable;

  constructor(
    readonly numModalities: number,
    options: {
      readonly seed?: number;
      readonly batch?: number;
      readonly features?: number;
      readonly classes?: number;
      /** `shared`: one head (group `head/shared`) applied to every branch, as `model.heads: shared` builds it. */
      readonly heads?: 'separate' | 'shared';
    } = {},
  ) {
    const rng = Rng.fromSeed(options.seed ?? 0, 'loss-fixture');
    const b = options.batch ?? 4;
    const f = options.features ?? 3;
    const c = options.classes ?? 3;
    const normal = (shape: number[], std: number): tf.Tensor =>
      tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, n) => a * n, 1)), 0, std), shape);
    const add = (t: tf.Tensor, group: ParamGroupId, name: string): tf.Variable => {
      const v = tf.variable(t);
      t.dispose();
      this.vars.push({ variable: v, group, name });
      return v;
    };
    this.inputs = Array.from({ length: numModalities }, () => normal([b, f], 1) as tf.Tensor2D);
    const labels = Array.from({ length: b }, () => rng.int(c));
    this.labels = tf.tensor1d(labels, 'int32');
    this.oneHot = tf.tidy(() => tf.cast(tf.oneHot(this.labels, c), 'float32') as tf.Tensor2D);
    const sharedHead =
      options.heads === 'shared' ? { w: add(normal([f, c], 0.5), SHARED_HEAD_GROUP, 'head/kernel'), b: add(tf.zeros([c]), SHARED_HEAD_GROUP, 'head/bias') } : null;
    for (let k = 0; k < numModalities; k++) {
      this.enc.push(add(normal([f, f], 0.5), branchGroup(k), `branch${k}/kernel`));
      this.headW.push(sharedHead ? sharedHead.w : add(normal([f, c], 0.5), headGroup(k), `head${k}/kernel`));
      this.headB.push(sharedHead ? sharedHead.b : add(tf.zeros([c]), headGroup(k), `head${k}/bias`));
      this.gate.push(add(normal([f], 0.1), fusionGroup(k), `fusion/gate${k}`));
    }
    this.shared = add(tf.zeros([1]), SHARED_FUSION_GROUP, 'fusion/shared');
  }

  /** Every group this model has, in a stable order. */
  groups(): ParamGroupId[] {
    return [...new Set(this.vars.map((v) => v.group))];
  }

  /**
   * One training step's loss and gradients: builds the {@link LossInput}, lets the strategy's `wrapLoss`
   * (if any) replace the loss, and differentiates it. Tensors created on the way are freed.
   */
  step(strategy: BalancingStrategy, ctx: StrategyContext & { readonly mode: ForwardMode }): FixtureStep {
    const { value, grads } = tf.variableGrads(() => {
      const input = this.lossInput(ctx.mode, ctx);
      const loss = strategy.wrapLoss ? strategy.wrapLoss(input, ctx) : input.baseLoss;
      if (loss.rank !== 0) {
        throw new TypeError(`wrapLoss must return a scalar, but got a tensor of shape [${loss.shape.join(', ')}].`);
      }
      return loss;
    }, this.vars.map((v) => v.variable));
    const loss = value.dataSync()[0]!;
    value.dispose();
    const byGroup = this.byGroup(grads);
    const groupNorms = new Map<ParamGroupId, GroupNorm>();
    for (const [group, list] of byGroup) {
      for (const { grad: g, weight: variable } of list) {
        const [gradSq, weightSq] = tf.tidy(() => [tf.sum(tf.square(g)).dataSync()[0]!, tf.sum(tf.square(variable)).dataSync()[0]!]);
        const prev = groupNorms.get(group) ?? { gradSq: 0, weightSq: 0 };
        groupNorms.set(group, { gradSq: prev.gradSq + gradSq!, weightSq: prev.weightSq + weightSq! });
      }
    }
    // lossTerms: each term differentiated on its own forward pass, as the trainer does (every variable gets a
    // gradient, zeros where the term does not reach it, so a set has the main gradients' groups and order).
    const gradientSets = new Map<string, Map<ParamGroupId, ParamGradient[]>>();
    if (strategy.lossTerms) {
      const names = tf.tidy(() => Object.keys(strategy.lossTerms!(this.lossInput(ctx.mode, ctx), ctx)));
      for (const term of names) {
        const vars = this.vars.map((v) => v.variable);
        const { value: termValue, grads: named } = tf.variableGrads(() => {
          const terms = strategy.lossTerms!(this.lossInput(ctx.mode, ctx), ctx);
          return terms[term]!;
        }, vars);
        termValue.dispose();
        for (const v of vars) named[v.name] ??= tf.zerosLike(v);
        gradientSets.set(term, this.byGroup(named));
      }
    }
    const headProbs = tf.tidy(() => this.forward(this.inputs, ctx.mode).heads.map((h) => tf.softmax(h).dataSync() as Float32Array));
    const batch: StepBatch = { labels: this.labels.dataSync() as Int32Array, headProbs, numClasses: this.oneHot.shape[1] };
    return { loss, grads: byGroup, groupNorms, batch, gradientSets };
  }

  /** Gradients by variable name → ParamGradients by group, in the fixture's variable order. */
  private byGroup(grads: tf.NamedTensorMap): Map<ParamGroupId, ParamGradient[]> {
    const byGroup = new Map<ParamGroupId, ParamGradient[]>();
    for (const { variable, group, name } of this.vars) {
      const g = grads[variable.name];
      if (!g) continue;
      const list = byGroup.get(group) ?? [];
      list.push({ name, shape: variable.shape, grad: g, weight: variable });
      byGroup.set(group, list);
    }
    return byGroup;
  }

  dispose(): void {
    tf.dispose([...this.inputs, this.labels, this.oneHot, ...this.vars.map((v) => v.variable)]);
  }

  /** A {@link LossInput} over this fixture's batch; `forwardMasked` reruns the model on masked inputs. */
  lossInput(mode: ForwardMode, ctx: StrategyContext): LossInput {
    const out = this.forward(this.inputs, mode);
    const baseLoss = tf.addN(out.heads.map((h) => crossEntropy(h, this.oneHot))) as tf.Scalar;
    return {
      ...out,
      labels: this.labels,
      oneHot: this.oneHot,
      baseLoss,
      applyHead: (k, f) => this.applyHead(k, f),
      crossEntropy: (logits) => crossEntropy(logits, this.oneHot),
      forwardMasked: (mask) => this.forward(this.masked(mask, ctx), mode),
    };
  }

  /**
   * The fixture's inputs with `mask.modalities` replaced: zeros; `train-mean`, the batch mean (the fixture's whole
   * "training split" is its one batch); `permute`, rows in a permutation drawn from `ctx.rng`.
   */
  private masked(mask: ModalityMask, ctx: StrategyContext): tf.Tensor2D[] {
    return this.inputs.map((x, k) => {
      if (!mask.modalities.includes(k)) return x;
      if (mask.fill === 'zeros') return tf.zerosLike(x);
      if (mask.fill === 'train-mean') return tf.broadcastTo(tf.mean(x, 0, true), x.shape) as tf.Tensor2D;
      return tf.gather(x, tf.tensor1d(ctx.rng.permutation(x.shape[0]), 'int32'));
    });
  }

  private applyHead(k: number, f: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(f, this.headW[k]! as tf.Tensor2D), this.headB[k]!) as tf.Tensor2D;
  }

  private forward(inputs: readonly tf.Tensor2D[], mode: ForwardMode): MaskedForward {
    const features = inputs.map((x, k) => {
      const gate =
        mode.kind === 'rebalance' && mode['modality'] === k
          ? tf.fill([this.gate[k]!.shape[0]!], 0.5)
          : tf.sigmoid(tf.add(this.gate[k]!, this.shared));
      return tf.mul(tf.relu(tf.matMul(x, this.enc[k]! as tf.Tensor2D)), gate) as tf.Tensor2D;
    });
    const heads = features.map((f, k) => this.applyHead(k, f));
    const fused = tf.div(tf.addN(heads), heads.length) as tf.Tensor2D;
    return { fused, heads, features };
  }
}

/** Softmax cross-entropy, batch mean. */
function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}
