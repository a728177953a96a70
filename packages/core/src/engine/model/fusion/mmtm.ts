import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../../contract/errors/errors.js';
import type { FusionContribution } from '../../../contract/plugin/manifest.js';
import type { FusionBlock, FusionContext, FusionForwardContext } from '../../../contract/model/fusion-block.js';
import { createDense, type Dense } from '../layers/dense.js';
import { ParamStore } from '../layers/param-store.js';
import { fusionGroup, SHARED_FUSION_GROUP } from '../../../contract/model/param-group.js';

export interface MmtmRunningMeanOptions {
  /**
   * When the running mean r_k of each gate is updated:
   * - `every-forward`: cumulative arithmetic mean over every forward call in any mode, evaluation included
   *   (the reference code, docs/method.md#mmtm item 5);
   * - `train-only`: the same mean over training forwards only;
   * - `ema`: exponential moving average with `momentum`, started at the first batch mean.
   */
  readonly update: 'every-forward' | 'train-only' | 'ema';
  /** EMA weight of the new batch mean (only for `ema`). */
  readonly momentum: number;
  /**
   * Reproduce the reference's bug: every r_k with k ≥ 1 is updated with modality 0's gate, so re-balancing
   * modality 1 replaces its gate with the mean gate of modality 0. Needs equal channel counts.
   */
  readonly legacyGateBug: boolean;
}

export interface MmtmOptions {
  /** D = floor(2·ΣC / ratio): the joint layer's width. */
  readonly ratio: number;
  /** Gate = gateScale·σ(·). The reference (and the official MMTM code) use 1; the MMTM paper writes 2. */
  readonly gateScale: number;
  readonly runningMean: MmtmRunningMeanOptions;
}

/** Per modality k, the squeeze: mean over every axis but batch and channels, [B, ..., C_k] → [B, C_k]. */
export function squeeze(x: tf.Tensor): tf.Tensor2D {
  const s = x.shape;
  if (s.length === 2) return x as tf.Tensor2D;
  return tf.mean(tf.reshape(x, [s[0]!, -1, s[s.length - 1]!]), 1) as tf.Tensor2D;
}

/**
 * The MMTM block of docs/method.md#mmtm for N ≥ 2 modalities (Joze et al. 2020, as in the reference `MMTM_mitigate`):
 * squeeze each modality, z = ReLU(W_s·concat(s_1..s_N) + b_s), gate_k = σ(W_k·z + b_k), output_k =
 * features_k ⊙ gate_k broadcast over the non-channel axes. Groups: W_s is `fusion/shared`, W_k is `fusion/k`.
 */
export class Mmtm implements FusionBlock {
  /** `rebalance` (own gate → running mean, docs/method.md#balancing) and `ablate-partner` (utilization, docs/method.md#utilization). */
  readonly modes: readonly string[] = ['rebalance', 'ablate-partner'];
  /** Its squeezes can be recorded and replaced by training-set means (`recordSqueezes`/`squeezeMeans`). */
  readonly partnerAblation = true;
  readonly hidden: number;
  private readonly store: ParamStore;
  private readonly joint: Dense;
  private readonly excite: Dense[];
  /** r_k, non-trainable so checkpoints hold them; the count lives in `stateDict`. */
  readonly runningMeans: tf.Variable[];
  private count = 0;

  constructor(
    private readonly options: MmtmOptions,
    private readonly ctx: FusionContext,
  ) {
    const channels = ctx.channels;
    const total = channels.reduce((a, b) => a + b, 0);
    this.hidden = Math.floor((2 * total) / options.ratio);
    const refuse = (expectation: string, actual: string, fix: string, data: Record<string, unknown>): never => {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `mmtm fusion block at position ${ctx.position} ${expectation}, but got ${actual}. ${fix}`,
        { fusion: 'mmtm', position: ctx.position, channels: [...channels], ...data },
      );
    };
    if (channels.length < 2) refuse('needs at least 2 modalities', `${channels.length}`, 'Use two or more modalities, or no fusion for a uni-modal model.', {});
    if (channels.some((c) => !(c >= 1))) refuse('needs channel counts >= 1', `[${channels.join(', ')}]`, 'Check the encoders\' stages.', {});
    if (this.hidden < 1) {
      refuse('needs a joint layer of width floor(2·ΣC/ratio) >= 1', `${this.hidden}`, 'Lower `ratio`.', { ratio: options.ratio });
    }
    if (options.runningMean.legacyGateBug && channels.some((c) => c !== channels[0])) {
      refuse(
        'with runningMean.legacyGateBug needs equal channel counts',
        `[${channels.join(', ')}]`,
        'Turn legacyGateBug off, or fuse stages with equal channel counts.',
        { legacyGateBug: true },
      );
    }
    for (const [k, shape] of ctx.shapes.entries()) {
      if (shape.length < 1 || shape.some((d) => !(d >= 1))) {
        refuse('needs non-empty per-sample features for every modality', `[${shape.join(', ')}] for modality ${k}`, 'Check the encoders\' stages and the input sizes.', { modality: k, shape: [...shape] });
      }
    }
    this.store = ParamStore.create(ctx.namePrefix, ctx.rng);
    this.joint = createDense(this.store.grouped(SHARED_FUSION_GROUP), 'fc_squeeze', total, this.hidden);
    this.excite = channels.map((c, k) => createDense(this.store.grouped(fusionGroup(k)), `fc_excite.${k}`, this.hidden, c));
    this.runningMeans = channels.map((c, k) => this.store.grouped(fusionGroup(k)).fill(`running_mean.${k}`, [c], 0, false));
  }

  variables() {
    return this.store.variables();
  }

  apply(features: readonly tf.Tensor[], fctx: FusionForwardContext): tf.Tensor[] {
    const channels = this.ctx.channels;
    const n = channels.length;
    if (features.length !== n) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `mmtm fusion block at position ${this.ctx.position} expects ${n} feature tensors, but got ${features.length}. Pass one per modality.`,
        { fusion: 'mmtm', position: this.ctx.position, expected: n, actual: features.length },
      );
    }
    const mode = fctx.mode;
    const helped = mode['modality'];
    if (mode.kind === 'rebalance' && !(typeof helped === 'number' && Number.isInteger(helped) && helped >= 0 && helped < n)) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        `forward mode rebalance needs a modality in [0, ${n - 1}], but got ${JSON.stringify(helped)}. Pick an existing modality.`,
        { fusion: 'mmtm', position: this.ctx.position, modality: helped ?? null, numModalities: n },
      );
    }
    const batch = features[0]!.shape[0]!;
    const squeezes = features.map(squeeze);
    fctx.recordSqueezes?.(squeezes);
    let gates: tf.Tensor2D[];
    if (mode.kind === 'ablate-partner') {
      const means = fctx.squeezeMeans;
      if (!means || means.length !== n || means.some((m, j) => m.size !== channels[j])) {
        throw new UngreedyError(
          'UNG_ERR_MODEL_MISMATCH',
          `forward mode ablate-partner needs squeezeMeans of sizes [${channels.join(', ')}] at fusion position ${this.ctx.position}, but got ${means ? `[${means.map((m) => m.size).join(', ')}]` : 'none'}. Record the squeezes over the training split first.`,
          { fusion: 'mmtm', position: this.ctx.position, channels: [...channels], got: means ? means.map((m) => m.size) : null },
        );
      }
      const constant = means.map((m, j) => tf.broadcastTo(tf.reshape(m, [1, channels[j]!]), [batch, channels[j]!]));
      // Gate k sees its own live squeeze and every partner's training-split mean; all k in one pass.
      gates = channels.map((_, k) => {
        const parts = channels.map((__, j) => (j === k ? squeezes[j]! : constant[j]!));
        const z = tf.relu(this.joint.apply(tf.concat(parts, 1)));
        return tf.sigmoid(this.excite[k]!.apply(z));
      });
    } else {
      const z = tf.relu(this.joint.apply(tf.concat(squeezes, 1)));
      gates = this.excite.map((e) => tf.sigmoid(e.apply(z)));
    }
    this.updateRunningMeans(gates, fctx.training);
    return features.map((f, k) => {
      let gate: tf.Tensor = gates[k]!;
      if (mode.kind === 'rebalance' && helped === k) {
        // The running mean is a variable read as a constant: no sample-specific modulation, no gradient.
        gate = tf.broadcastTo(tf.reshape(this.runningMeans[k]!, [1, channels[k]!]), [batch, channels[k]!]);
      }
      if (this.options.gateScale !== 1) gate = tf.mul(gate, this.options.gateScale);
      const shape = [batch, ...new Array<number>(f.rank - 2).fill(1), channels[k]!];
      return tf.mul(f, tf.reshape(gate, shape));
    });
  }

  private updateRunningMeans(gates: readonly tf.Tensor2D[], training: boolean): void {
    const { update, momentum, legacyGateBug } = this.options.runningMean;
    if (update === 'train-only' && !training) return;
    const n = this.count;
    tf.tidy(() => {
      this.runningMeans.forEach((r, k) => {
        const m = tf.mean(gates[legacyGateBug ? 0 : k]!, 0);
        if (update === 'ema') r.assign(n === 0 ? m : tf.add(tf.mul(r, 1 - momentum), tf.mul(m, momentum)));
        else r.assign(tf.div(tf.add(m, tf.mul(r, n)), n + 1));
      });
    });
    this.count = n + 1;
  }

  /** Number of running-mean updates so far. */
  get updates(): number {
    return this.count;
  }

  stateDict(): Record<string, unknown> {
    return { count: this.count };
  }

  loadStateDict(state: Record<string, unknown>): void {
    const count = state['count'];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `mmtm state at position ${this.ctx.position} needs a non-negative integer "count", but got ${JSON.stringify(count)}. Use a checkpoint written by this model.`,
        { fusion: 'mmtm', position: this.ctx.position, count },
      );
    }
    this.count = count;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** `mmtm`: the multi-modal transfer module of docs/method.md#mmtm, generalised to N ≥ 2 modalities. */
export const mmtm: FusionContribution<MmtmOptions> = {
  meta: {
    docs: {
      description:
        'Multi-modal transfer module (squeeze, joint layer, one sigmoid gate per modality) with the regular, rebalance and ablate-partner modes.',
    },
    defaultOptions: { ratio: 4, gateScale: 1, runningMean: { update: 'every-forward', momentum: 0.1, legacyGateBug: false } },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ratio: { type: 'number', exclusiveMinimum: 0 },
        gateScale: { type: 'number', exclusiveMinimum: 0 },
        runningMean: {
          type: 'object',
          additionalProperties: false,
          properties: {
            update: { enum: ['every-forward', 'train-only', 'ema'] },
            momentum: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            legacyGateBug: { type: 'boolean' },
          },
        },
      },
    },
  },
  create: (options, ctx) => new Mmtm(options, ctx),
};
