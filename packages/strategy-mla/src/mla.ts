import { UngreedyError, requireMultiModal, tf } from '@ungreedy/core';
import type {
  BalancingStrategy,
  ForwardMode,
  FuseContext,
  GradientsByGroup,
  JsonObject,
  Logger,
  LossInput,
  ParamGradient,
  ParamGroupId,
  StepContext,
  StrategyContext,
  StrategyContribution,
  StrategyCreateContext,
} from '@ungreedy/core';
import schema from './mla.schema.json' with { type: 'json' };
import { entropyFuse, identityProjector, projectKernelGradient, projectorAlpha, updateProjector } from './mla-math.js';

export interface MlaOptions {
  readonly gradientModification: boolean;
  readonly alphaBase: number;
  readonly normalizeProjector: boolean;
  readonly includeCurrent: boolean;
  readonly fusion: 'entropy' | 'mean';
}

export const defaultMlaOptions: MlaOptions = {
  gradientModification: true,
  alphaBase: 0.1,
  normalizeProjector: true,
  includeCurrent: true,
  fusion: 'entropy',
};

/** Saved in checkpoints (STYLE.md H12). */
export interface MlaState {
  /** Head updates done so far (the paper's exp_count): the very first one is neither projected nor folded in. */
  updates: number;
  /** Feature size of the shared head, 0 before the first update. */
  dim: number;
  /** P as the base64 of its float64 bytes (row-major dim × dim), bit-exact across JSON; null before the first update. */
  projector: string | null;
}

const SHARED_HEAD = 'head/shared' as ParamGroupId;

/**
 * MLA (Zhang, Yoon, Bansal, Yao, CVPR 2024), docs/mla.md. Training step t trains modality k = t mod M alone:
 * the loss is the cross-entropy of the shared head on branch k's features, and only `branch/k`, the shared head
 * and the fusion groups are updated. The shared head's kernel gradient is multiplied by a projector P that the
 * mean features of earlier steps have shrunk along their directions, so learning modality k disturbs little of
 * what the head learnt for the others. Predictions fuse the heads' logits weighted by softmax(−entropy).
 */
export class MlaStrategy implements BalancingStrategy {
  readonly evaluationMode = 'regular';
  private state: MlaState = { updates: 0, dim: 0, projector: null };
  private projector: Float64Array | null = null;
  /** The step in flight: its modality and the mean of that modality's features. */
  private pending: { modality: number; mean: Float32Array } | null = null;

  constructor(
    private readonly options: MlaOptions,
    private readonly numModalities: number,
    private readonly log: Logger,
  ) {}

  /** CE of the shared head on modality (step mod M); records it as `loss/k`. */
  wrapLoss(input: LossInput, ctx: StrategyContext & { readonly mode: ForwardMode }): tf.Scalar {
    const k = ctx.step % this.numModalities;
    const loss = input.crossEntropy(input.heads[k]!);
    this.pending = { modality: k, mean: tf.tidy(() => tf.mean(input.features[k]!, 0).dataSync() as Float32Array) };
    ctx.metrics.record(`loss/${k}`, loss.dataSync()[0]!);
    return loss;
  }

  /** Keeps only this step's modality's encoder (other encoders are not updated) and projects the shared head's kernel gradient. */
  transformGradients(grads: GradientsByGroup, ctx: StepContext): GradientsByGroup {
    const pending = this.pending;
    this.pending = null;
    if (pending === null) return grads;
    const head = grads.get(SHARED_HEAD);
    if (!head) {
      throw new UngreedyError(
        'UNG_ERR_MODEL_MISMATCH',
        'mla trains one head shared by every modality, but the model has none. Fix: set model.heads: "shared" in the config (needs equal feature sizes).',
        { strategy: 'mla', pointer: '/model/heads', expected: 'shared', groups: [...grads.keys()] },
      );
    }
    const out = new Map<ParamGroupId, readonly ParamGradient[]>();
    for (const [group, list] of grads) {
      if (group.startsWith('branch/') && group !== `branch/${pending.modality}`) continue;
      out.set(group, list);
    }
    if (this.options.gradientModification) out.set(SHARED_HEAD, this.modifyHead(head, pending.mean, ctx));
    return out;
  }

  /** Uncertainty-weighted fusion (or the plain mean with `fusion: 'mean'`). */
  fuseLogits(heads: readonly tf.Tensor2D[], _ctx: FuseContext): tf.Tensor2D {
    if (this.options.fusion === 'entropy') return entropyFuse(heads);
    return tf.tidy(() => tf.div(tf.addN(heads as tf.Tensor2D[]), heads.length) as tf.Tensor2D);
  }

  stateDict(): JsonObject {
    return { updates: this.state.updates, dim: this.state.dim, projector: this.projector === null ? null : encode(this.projector) };
  }

  loadStateDict(state: JsonObject): void {
    const s = state as Partial<MlaState>;
    let projector: Float64Array | null = null;
    let valid = Number.isInteger(s.updates) && (s.updates as number) >= 0 && Number.isInteger(s.dim) && (s.dim as number) >= 0;
    if (valid && s.projector !== null) {
      projector = typeof s.projector === 'string' ? decode(s.projector) : null;
      valid = projector !== null && projector.length === (s.dim as number) ** 2;
    }
    if (!valid) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        "the checkpoint's mla state must be { updates, dim, projector: null | base64 of dim² float64 }, but got another shape. Resume with the strategy and model the run was started with.",
        { strategy: 'mla' },
      );
    }
    this.state = { updates: s.updates as number, dim: s.dim as number, projector: null };
    this.projector = projector;
    this.pending = null;
  }

  private modifyHead(head: readonly ParamGradient[], mean: Float32Array, ctx: StepContext): ParamGradient[] {
    const first = this.state.updates === 0;
    this.state.updates += 1;
    const kernel = head.find((p) => p.shape.length === 2);
    if (!kernel) return [...head];
    const [dim, classes] = kernel.shape as [number, number];
    if (this.projector === null || this.state.dim !== dim) {
      this.projector = identityProjector(dim);
      this.state.dim = dim;
    }
    // The paper's code leaves the very first head update alone (exp_count = 0).
    if (first) return [...head];
    const { alphaBase, normalizeProjector, includeCurrent } = this.options;
    const alpha = projectorAlpha(alphaBase, ctx.stepInEpoch, ctx.stepsPerEpoch);
    if (includeCurrent) this.projector = updateProjector(this.projector, mean, alpha, normalizeProjector);
    const grad = kernel.grad.dataSync();
    const projected = projectKernelGradient(this.projector, grad, dim, classes);
    if (!includeCurrent) this.projector = updateProjector(this.projector, mean, alpha, normalizeProjector);
    ctx.metrics.record('headGradKept', norm(projected) / Math.max(norm(grad), 1e-30));
    return head.map((p) => (p === kernel ? { ...p, grad: tf.tensor(projected, p.shape as number[]) } : p));
  }
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i += 1) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function encode(p: Float64Array): string {
  return Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64');
}

function decode(s: string): Float64Array | null {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length % 8 !== 0) return null;
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export const mla: StrategyContribution<MlaOptions> = {
  meta: {
    docs: {
      description:
        'MLA: alternating unimodal steps through a shared head whose gradient is projected away from earlier modalities\' features, and entropy-weighted fusion of the heads (Zhang et al., CVPR 2024). Needs model.heads: "shared".',
    },
    defaultOptions: defaultMlaOptions,
    schema,
  },
  create(options: MlaOptions, ctx: StrategyCreateContext): MlaStrategy {
    requireMultiModal('mla', ctx.numModalities);
    return new MlaStrategy(options, ctx.numModalities, ctx.log);
  },
};
