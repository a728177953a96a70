import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { JsonObject } from '../../contract/util/json.js';
import type { Encoder } from '../../contract/model/encoder.js';
import type { FusionBlock } from '../../contract/model/fusion-block.js';
import { createDense, type Dense } from './layers/dense.js';
import { ParamStore } from './layers/param-store.js';
import { loadPretrained } from './load-pretrained.js';
import { withDefaultOptions } from '../util/deep-merge.js';
import type { NamedVariable } from '../../contract/model/module.js';
import type { BuildModelOptions, ModelForwardContext, ModelOutput, MultiModalModel } from './multimodal-model.js';
import { branchGroup, FUSED_HEAD_GROUP, headGroup, SHARED_HEAD_GROUP } from '../../contract/model/param-group.js';

const mismatch = (message: string, data: Record<string, unknown>): UngreedyError =>
  new UngreedyError('UNG_ERR_MODEL_MISMATCH', message, data);

/**
 * Builds the multi-modal model of a config: one encoder per modality (from the registry, defaults merged
 * under the options), a fusion block after each stage index in `model.fusion.after`, a linear head per
 * modality on the pooled features, and fused = mean of the head logits (docs/method.md#network).
 *
 * Model options (packages/core/docs/model-options.md): `model.heads: 'shared'` makes one linear head
 * `head.shared.weight|bias` (group `head/shared`) that every modality's features go through (equal feature sizes,
 * else UNG_ERR_CONFIG_INVALID at /model/heads); `model.fused: 'sum'` sums the head logits instead of averaging them;
 * `model.fused: 'concat'` adds `head.fused.weight|bias` (group `head/fused`), a linear classifier over the
 * concatenated features, whose logits are the fused output. Their initial values come from forks of `rng` taken
 * after every other fork, so the default model's initial weights do not change.
 *
 * - Variable names: `branch.<k>.…` (group `branch/k`), `head.<k>.weight|bias` (`head/k`),
 *   `fusion.<p>.…` (groups the block declares: `fusion/k`, `fusion/shared`).
 * - Initial values come from forks of `rng` taken in a fixed order (branches, heads, then fusion blocks),
 *   so adding a fusion block does not change the encoders' initial weights.
 * - `model.encoders[i].init`: the encoder's variables are then overwritten from a weights file (relative to
 *   `configDir`), before heads and fusion blocks exist; their random init is unchanged by it (load-pretrained.ts).
 * - One modality: a uni-modal model; the fusion settings are ignored (logged).
 * - `late` fusion has no fusion points: `after` must be `[]`.
 *
 * Refuses with UNG_ERR_MODEL_MISMATCH: an encoder list whose length is neither 1 nor the number of
 * modalities, a fusion position outside every encoder's stages, an input an encoder cannot read, features
 * a fusion block cannot take. An unknown encoder or fusion id is UNG_ERR_UNKNOWN_COMPONENT.
 */
export async function buildModel(options: BuildModelOptions): Promise<MultiModalModel> {
  const { model: config, modalities, numClasses, registry, rng, log } = options;
  const n = modalities.length;
  if (n < 1) throw mismatch('model.modalities must select at least one modality, but got none. Select one or more dataset modalities.', { modalities: 0 });
  const choices = config.encoders;
  if (choices.length !== 1 && choices.length !== n) {
    throw mismatch(
      `model.encoders must list 1 encoder or one per modality (${n}), but got ${choices.length}. List one encoder for all modalities or exactly ${n}.`,
      { pointer: '/model/encoders', expected: n, actual: choices.length },
    );
  }

  const branchRngs = modalities.map((_, k) => rng.fork(`branch/${k}`));
  const headRngs = modalities.map((_, k) => rng.fork(`head/${k}`));

  const encoders: Encoder[] = [];
  const fusionBlocks: FusionBlock[] = [];
  const heads: Dense[] = [];
  const sharedHeads = (config.heads ?? 'separate') === 'shared';
  const fusedKind = config.fused ?? 'mean';
  // Forked even for a shared head, so the fusion blocks' streams stay the same as with separate heads.
  const headStores = sharedHeads ? [] : headRngs.map((r, k) => ParamStore.create('', r, headGroup(k)));
  let fusedHead: Dense | undefined;
  const disposeAll = (): void => {
    for (const e of encoders) e.dispose();
    for (const b of fusionBlocks) b.dispose();
    for (const h of headStores) h.dispose();
  };

  try {
    for (let k = 0; k < n; k++) {
      const choice = choices.length === 1 ? choices[0]! : choices[k]!;
      const found = registry.find('encoders', choice.use);
      if (!found) {
        throw new UngreedyError(
          'UNG_ERR_UNKNOWN_COMPONENT',
          `model.encoders[${choices.length === 1 ? 0 : k}].use must name a registered encoder, but got "${choice.use}". Known: ${registry.ids('encoders').join(', ')}.`,
          { kind: 'encoders', id: choice.use, known: registry.ids('encoders') },
        );
      }
      const contribution = found.contribution;
      const encoderOptions = withDefaultOptions(contribution.meta.defaultOptions, choice.options);
      const encoder = await contribution.create(encoderOptions, {
        inputShape: modalities[k]!.shape,
        modality: k,
        namePrefix: `branch.${k}.`,
        rng: branchRngs[k]!,
      });
      encoders.push(encoder);
      if (choice.init && options.loadPretrained !== false) {
        loadPretrained({
          module: encoder,
          encoder: k,
          init: choice.init,
          configDir: options.configDir ?? process.cwd(),
          log,
          pointer: `/model/encoders/${choices.length === 1 ? 0 : k}/init`,
        });
      }
    }
    const featureSizes = encoders.map((e) => e.featureSize);
    if (sharedHeads && featureSizes.some((f) => f !== featureSizes[0])) {
      const message = `must be "separate" when the encoders' feature sizes differ, but the feature sizes are [${featureSizes.join(', ')}]`;
      throw new UngreedyError(
        'UNG_ERR_CONFIG_INVALID',
        `model.heads "shared" needs every modality's pooled features to have one size, but the encoders give [${featureSizes.join(', ')}]. ` +
          'Choose encoders (or encoder options) with equal feature sizes, or set model.heads to "separate".',
        { pointer: '/model/heads', featureSizes, issues: [{ pointer: '/model/heads', message, value: 'shared' }] },
      );
    }
    if (!sharedHeads) {
      for (let k = 0; k < n; k++) {
        heads.push(createDense(headStores[k]!, `head.${k}`, encoders[k]!.featureSize, numClasses));
      }
    }

    const fusion = config.fusion;
    let positions: number[] = [];
    if (n === 1) {
      if (fusion.after.length > 0) log.info({ fusion: fusion.use, after: fusion.after }, 'uni-modal model: fusion settings ignored');
    } else {
      const found = registry.find('fusions', fusion.use);
      if (!found) {
        throw new UngreedyError(
          'UNG_ERR_UNKNOWN_COMPONENT',
          `model.fusion.use must name a registered fusion block, but got "${fusion.use}". Known: ${registry.ids('fusions').join(', ')}.`,
          { kind: 'fusions', id: fusion.use, known: registry.ids('fusions') },
        );
      }
      if (fusion.use === 'late' && fusion.after.length > 0) {
        throw mismatch(
          `model.fusion.after must be [] for late fusion, but got [${fusion.after.join(', ')}]. Late fusion has no intermediate fusion points: set "after": [].`,
          { pointer: '/model/fusion/after', fusion: 'late', after: [...fusion.after] },
        );
      }
      const stageCounts = encoders.map((e) => e.stages.length);
      const maxIndex = Math.min(...stageCounts) - 1;
      positions = [...fusion.after].sort((a, b) => a - b);
      for (const [i, p] of positions.entries()) {
        if (!Number.isInteger(p) || p < 0 || p > maxIndex) {
          throw mismatch(
            `model.fusion.after must hold stage indices in [0, ${maxIndex}] (the encoders have ${stageCounts.join(', ')} stages), but got ${p}. Place fusion blocks after existing stages.`,
            { pointer: '/model/fusion/after', after: [...fusion.after], position: p, stages: stageCounts },
          );
        }
        if (i > 0 && positions[i - 1] === p) {
          throw mismatch(`model.fusion.after must not repeat a stage index, but got ${p} twice. List each stage once.`, {
            pointer: '/model/fusion/after',
            after: [...fusion.after],
            position: p,
          });
        }
      }
      const fusionRngs = positions.map((_, p) => rng.fork(`fusion/${p}`));
      const fusionOptions = withDefaultOptions(found.contribution.meta.defaultOptions, fusion.options);
      for (const [p, stage] of positions.entries()) {
        const shapes = encoders.map((e) => e.stages[stage]!.outShape);
        fusionBlocks.push(
          await found.contribution.create(fusionOptions, {
            channels: shapes.map((s) => s[s.length - 1]!),
            shapes,
            position: p,
            namePrefix: `fusion.${p}.`,
            rng: fusionRngs[p]!,
          }),
        );
      }
    }
    if (sharedHeads) {
      const store = ParamStore.create('', rng.fork('head/shared'), SHARED_HEAD_GROUP);
      headStores.push(store);
      const shared = createDense(store, 'head.shared', featureSizes[0]!, numClasses);
      for (let k = 0; k < n; k++) heads.push(shared);
    }
    if (fusedKind === 'concat') {
      const store = ParamStore.create('', rng.fork('head/fused'), FUSED_HEAD_GROUP);
      headStores.push(store);
      fusedHead = createDense(store, 'head.fused', featureSizes.reduce((a, b) => a + b, 0), numClasses);
    }
    return new AssembledModel(
      modalities.map((m) => m.shape),
      numClasses,
      encoders,
      heads,
      headStores,
      positions,
      fusionBlocks,
      fusedKind,
      fusedHead,
    );
  } catch (err) {
    disposeAll();
    throw err;
  }
}

class AssembledModel implements MultiModalModel {
  readonly numModalities: number;
  readonly fusionPoints: number;
  private readonly blockAfterStage = new Map<number, number>();
  private readonly maxStages: number;

  constructor(
    private readonly inputShapes: readonly (readonly number[])[],
    readonly numClasses: number,
    private readonly encoders: readonly Encoder[],
    private readonly heads: readonly Dense[],
    private readonly headStores: readonly ParamStore[],
    positions: readonly number[],
    private readonly blocks: readonly FusionBlock[],
    private readonly fusedKind: 'mean' | 'sum' | 'concat' = 'mean',
    private readonly fusedHead?: Dense,
  ) {
    this.numModalities = encoders.length;
    this.fusionPoints = blocks.length;
    positions.forEach((stage, p) => this.blockAfterStage.set(stage, p));
    this.maxStages = Math.max(...encoders.map((e) => e.stages.length));
  }

  forward(inputs: readonly tf.Tensor[], ctx: ModelForwardContext): ModelOutput {
    this.checkInputs(inputs);
    return tf.tidy(() => {
      const stageCtx = { training: ctx.training };
      let xs: tf.Tensor[] = [...inputs];
      for (let s = 0; s < this.maxStages; s++) {
        xs = xs.map((x, k) => {
          const stage = this.encoders[k]!.stages[s];
          return stage ? stage.apply(x, stageCtx) : x;
        });
        const p = this.blockAfterStage.get(s);
        if (p !== undefined) {
          const block = this.blocks[p]!;
          // A block that declares its modes gets only those (docs/fusion.md); `regular` is always supported.
          if (ctx.mode.kind !== 'regular' && block.modes && !block.modes.includes(ctx.mode.kind)) {
            throw new UngreedyError(
              'UNG_ERR_MODEL_MISMATCH',
              `fusion block ${p} supports the forward modes regular, ${block.modes.join(', ')}, but got "${ctx.mode.kind}". ` +
                'Choose a mode the fusion block supports, or a fusion block that supports the mode.',
              { position: p, mode: ctx.mode.kind, supported: ['regular', ...block.modes] },
            );
          }
          const record = ctx.recordSqueezes;
          const means = ctx.squeezeMeans?.[p];
          xs = this.blocks[p]!.apply(xs, {
            training: ctx.training,
            mode: ctx.mode,
            ...(means ? { squeezeMeans: means } : {}),
            ...(record ? { recordSqueezes: (sq: readonly tf.Tensor2D[]) => record(p, sq) } : {}),
          });
        }
      }
      const features = xs.map((x, k) => this.encoders[k]!.pool(x));
      const heads = features.map((f, k) => this.heads[k]!.apply(f));
      return { fused: this.fuse(heads, features), heads, features };
    });
  }

  /** The model's own fused logits (`model.fused`): mean (the paper's, exact ops kept) or sum of heads, or the concat classifier. */
  private fuse(heads: tf.Tensor2D[], features: tf.Tensor2D[]): tf.Tensor2D {
    if (this.fusedHead) return this.fusedHead.apply(features.length === 1 ? features[0]! : tf.concat(features, 1));
    if (heads.length === 1) return tf.clone(heads[0]!);
    return this.fusedKind === 'sum' ? tf.addN(heads) : tf.div(tf.addN(heads), heads.length);
  }

  applyHead(k: number, features: tf.Tensor2D): tf.Tensor2D {
    const head = this.heads[k];
    if (!head) {
      throw mismatch(`applyHead needs a modality in [0, ${this.numModalities - 1}], but got ${k}. Use an existing head.`, {
        modality: k,
        numModalities: this.numModalities,
      });
    }
    return tf.tidy(() => head.apply(features));
  }

  variables(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.encoders.forEach((e, k) => {
      for (const v of e.variables()) out.push({ ...v, group: branchGroup(k) });
    });
    for (const h of this.headStores) out.push(...h.variables());
    for (const b of this.blocks) out.push(...b.variables());
    return out;
  }

  stateDict(): JsonObject {
    return { fusion: this.blocks.map((b) => (b.stateDict ? (b.stateDict() as JsonObject) : {})) };
  }

  loadStateDict(state: JsonObject): void {
    const fusion = state['fusion'];
    if (!Array.isArray(fusion) || fusion.length !== this.blocks.length) {
      throw new UngreedyError(
        'UNG_ERR_CHECKPOINT_MISMATCH',
        `model state must hold ${this.blocks.length} fusion block states, but got ${Array.isArray(fusion) ? fusion.length : typeof fusion}. Resume with the config that wrote the checkpoint.`,
        { expected: this.blocks.length, actual: Array.isArray(fusion) ? fusion.length : null },
      );
    }
    this.blocks.forEach((b, p) => b.loadStateDict?.(fusion[p] as Record<string, unknown>));
  }

  dispose(): void {
    for (const e of this.encoders) e.dispose();
    for (const b of this.blocks) b.dispose();
    for (const h of this.headStores) h.dispose();
  }

  private checkInputs(inputs: readonly tf.Tensor[]): void {
    if (inputs.length !== this.numModalities) {
      throw mismatch(`model.forward expects ${this.numModalities} inputs (one per modality), but got ${inputs.length}. Pass one tensor per modality.`, {
        expected: this.numModalities,
        actual: inputs.length,
      });
    }
    inputs.forEach((x, k) => {
      const want = this.inputShapes[k]!;
      const got = x.shape.slice(1);
      if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
        throw mismatch(
          `model input ${k} must be [B, ${want.join(', ')}], but got [${x.shape.join(', ')}]. Check the dataset's modality shapes.`,
          { modality: k, expected: [...want], actual: [...x.shape] },
        );
      }
    });
  }
}
