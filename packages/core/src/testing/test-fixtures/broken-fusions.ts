// Fusion blocks that each break one rule of the fusion contract (and one that breaks none), run by
// fusion-tester.test.ts in a child process: the kit must fail exactly the checks named there.
import * as tf from '@tensorflow/tfjs-core';
import type { FusionBlock, FusionContext, FusionForwardContext } from '../../contract/model/fusion-block.js';
import type { NamedVariable } from '../../contract/model/module.js';
import type { ParamGroupId } from '../../contract/model/param-group.js';
import type { FusionContribution } from '../../contract/plugin/manifest.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import { Rng } from '../../contract/rng/rng.js';
import { FusionTester } from '../fusion-tester.js';

interface Faults {
  readonly dropsChannel?: boolean;
  readonly noGroup?: boolean;
  readonly deadParameter?: boolean;
  readonly leaks?: boolean;
  readonly unseeded?: boolean;
  readonly ablationIgnored?: boolean;
  /** Declare `modes` and `partnerAblation` (FusionBlock v2); `refuses` says whether an undeclared mode is refused. */
  readonly declares?: { readonly refuses: boolean };
}

/** out_k = x_k ⊙ w_k + mix · Σ_{j≠k} mean(x_j) (partners replaced by 0 under ablate-partner). */
class ToyBlock implements FusionBlock {
  private readonly vars: NamedVariable[] = [];
  private readonly scales: tf.Variable[];
  private readonly mix: tf.Variable;
  readonly modes?: readonly string[];
  readonly partnerAblation?: boolean;

  constructor(
    ctx: FusionContext,
    private readonly faults: Faults,
  ) {
    const rng = faults.unseeded ? Rng.fromSeed(Math.floor(Math.random() * 2 ** 31), 'own') : ctx.rng;
    const add = (name: string, shape: number[], group: ParamGroupId): tf.Variable => {
      const init = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
      const v = tf.tidy(() => tf.variable(tf.tensor(init, shape), true, `${ctx.namePrefix}${name}-${Math.random()}`));
      this.vars.push({ name: `${ctx.namePrefix}${name}`, variable: v, trainable: true, ...(faults.noGroup ? {} : { group }) });
      return v;
    };
    this.scales = ctx.channels.map((c, k) => add(`scale.${k}`, [c], `fusion/${k}`));
    this.mix = add('mix', [], 'fusion/shared');
    if (faults.deadParameter) add('unused', [2], 'fusion/shared');
    if (faults.declares) {
      this.modes = ['rebalance', 'ablate-partner'];
      this.partnerAblation = true;
    }
  }

  apply(features: readonly tf.Tensor[], ctx: FusionForwardContext): tf.Tensor[] {
    if (this.faults.declares?.refuses && ctx.mode.kind !== 'regular' && !this.modes!.includes(ctx.mode.kind)) {
      throw new UngreedyError('UNG_ERR_MODEL_MISMATCH', `toy block: mode ${ctx.mode.kind} is not supported`, { mode: ctx.mode.kind });
    }
    const ablate = ctx.mode.kind === 'ablate-partner' && !this.faults.ablationIgnored;
    const means = features.map((x) => tf.mean(tf.reshape(x, [x.shape[0]!, -1]), 1));
    if (this.faults.leaks) tf.keep(tf.clone(means[0]!));
    return features.map((x, k) => {
      let out = tf.mul(x, this.scales[k]!);
      const partners = means.filter((_, j) => j !== k);
      if (!ablate && partners.length > 0) {
        const p = tf.mul(this.mix, tf.addN(partners));
        out = tf.add(out, tf.reshape(p, [x.shape[0]!, ...new Array<number>(x.rank - 1).fill(1)]));
      }
      return this.faults.dropsChannel && k === 0 ? tf.slice(out, new Array<number>(x.rank).fill(0), [...x.shape.slice(0, -1), x.shape[x.rank - 1]! - 1]) : out;
    });
  }

  variables(): NamedVariable[] {
    return [...this.vars];
  }

  dispose(): void {
    for (const v of this.vars) v.variable.dispose();
  }
}

function toy(faults: Faults = {}): FusionContribution {
  return {
    meta: { docs: { description: 'A fixture.' }, defaultOptions: {}, schema: { type: 'object', additionalProperties: false } },
    create: (_options, ctx) => new ToyBlock(ctx, faults),
  };
}

const tester = new FusionTester({ layouts: [[[2, 2, 3], [4]]] });
const modes = [{ kind: 'rebalance', modality: 0 } as const, { kind: 'ablate-partner' } as const];

tester.run('sound', toy(), { modes });
tester.run('drops-channel', toy({ dropsChannel: true }), { modes });
tester.run('no-group', toy({ noGroup: true }), { modes });
tester.run('dead-parameter', toy({ deadParameter: true }), { modes });
tester.run('leaky', toy({ leaks: true }), { modes });
tester.run('unseeded', toy({ unseeded: true }), { modes });
tester.run('ablation-ignored', toy({ ablationIgnored: true }), { modes });
tester.run('declared-modes', toy({ declares: { refuses: true } }));
tester.run('not-cross-modal', { ...toy(), create: (_o, ctx) => new ToyBlock({ ...ctx, channels: ctx.channels }, {}) }, { modes, crossModal: false });
