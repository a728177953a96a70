import * as tf from '@tensorflow/tfjs-core';
import { ADAM_STEP, SGD_STEP, fusedOptimizerStep } from '@ungreedy/backend';
import type { OptimizerConfig } from '../config/experiment-config.js';
import type { JsonObject } from '../../contract/util/json.js';

/** A parameter the optimizer may update: its checkpoint name and variable. */
export interface OptimizedParam {
  readonly name: string;
  readonly variable: tf.Variable;
}

/**
 * An optimizer over named `tf.Variable`s with explicit slot variables, so its whole state checkpoints and restores
 * exactly. `step` updates only the parameters present in `grads` (a parameter without gradient is skipped, like
 * PyTorch when `p.grad is None`) and, when `only` is given, only those named there (the strategy's update mask).
 */
export interface Optimizer {
  lr: number;
  step(grads: ReadonlyMap<string, tf.Tensor>, only?: ReadonlySet<string>): void;
  /** Slot tensors by `<param>/<slot>`, for checkpoints. */
  slots(): Map<string, tf.Variable>;
  stateDict(): JsonObject;
  loadStateDict(state: JsonObject, slots: ReadonlyMap<string, tf.Tensor>): void;
  dispose(): void;
}

/** Creates the optimizer the config names over `params` (one parameter group, as the reference, docs/method.md#training). */
export function createOptimizer(config: OptimizerConfig, params: readonly OptimizedParam[]): Optimizer {
  return config.type === 'sgd' ? new Sgd(config, params) : new Adam(config, params);
}

abstract class SlotOptimizer implements Optimizer {
  lr: number;
  protected readonly slotVars = new Map<string, tf.Variable>();

  constructor(
    lr: number,
    protected readonly params: readonly OptimizedParam[],
    slotNames: readonly string[],
  ) {
    this.lr = lr;
    for (const p of params) {
      for (const s of slotNames) {
        this.slotVars.set(`${p.name}/${s}`, tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
      }
    }
  }

  step(grads: ReadonlyMap<string, tf.Tensor>, only?: ReadonlySet<string>): void {
    for (const p of this.params) {
      const g = grads.get(p.name);
      if (!g || (only && !only.has(p.name))) continue;
      tf.tidy(() => this.update(p, g));
    }
  }

  protected slot(param: OptimizedParam, name: string): tf.Variable {
    return this.slotVars.get(`${param.name}/${name}`)!;
  }

  protected abstract update(param: OptimizedParam, grad: tf.Tensor): void;

  slots(): Map<string, tf.Variable> {
    return new Map(this.slotVars);
  }

  abstract stateDict(): JsonObject;

  loadStateDict(state: JsonObject, slots: ReadonlyMap<string, tf.Tensor>): void {
    this.lr = state['lr'] as number;
    for (const [name, v] of this.slotVars) {
      const t = slots.get(name);
      if (!t) throw new Error(`optimizer slot "${name}" is missing from the checkpoint`);
      v.assign(t);
    }
  }

  dispose(): void {
    for (const v of this.slotVars.values()) v.dispose();
    this.slotVars.clear();
  }
}

/**
 * torch.optim.SGD (dampening 0): g ← g + wd·θ; with momentum, b ← μ·b + g (b starts at g, which equals μ·0 + g),
 * g ← g + μ·b (Nesterov) or b; θ ← θ − lr·g.
 */
export class Sgd extends SlotOptimizer {
  constructor(
    private readonly config: Extract<OptimizerConfig, { type: 'sgd' }>,
    params: readonly OptimizedParam[],
  ) {
    super(config.lr, params, config.momentum !== 0 ? ['momentum'] : []);
  }

  protected update(param: OptimizedParam, grad: tf.Tensor): void {
    const { momentum, weightDecay, nesterov } = this.config;
    const buf = momentum !== 0 ? this.slot(param, 'momentum') : undefined;
    const fused = fusedOptimizerStep(SGD_STEP, { param: param.variable, grad, ...(buf ? { buf } : {}) }, [weightDecay, momentum, this.lr, nesterov ? 1 : 0]);
    if (fused !== undefined) {
      param.variable.assign(fused[0]!);
      buf?.assign(fused[1]!);
      return;
    }
    let g = weightDecay !== 0 ? tf.add(grad, tf.mul(param.variable, weightDecay)) : grad;
    if (buf !== undefined) {
      const next = tf.add(tf.mul(buf, momentum), g);
      buf.assign(next);
      g = nesterov ? tf.add(g, tf.mul(next, momentum)) : next;
    }
    param.variable.assign(tf.sub(param.variable, tf.mul(g, this.lr)));
  }

  stateDict(): JsonObject {
    return { type: 'sgd', lr: this.lr };
  }
}

/**
 * torch.optim.Adam (amsgrad off) with PyTorch's `weight_decay` as L2 added to the gradient (not AdamW's decoupled
 * decay): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 * The step count t is per parameter, so a skipped parameter's bias correction does not advance.
 */
export class Adam extends SlotOptimizer {
  private steps = new Map<string, number>();

  constructor(
    private readonly config: Extract<OptimizerConfig, { type: 'adam' }>,
    params: readonly OptimizedParam[],
  ) {
    super(config.lr, params, ['m', 'v']);
    for (const p of params) this.steps.set(p.name, 0);
  }

  protected update(param: OptimizedParam, grad: tf.Tensor): void {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const t = this.steps.get(param.name)! + 1;
    this.steps.set(param.name, t);
    const m = this.slot(param, 'm');
    const v = this.slot(param, 'v');
    const stepSize = this.lr / (1 - beta1 ** t);
    const bias2 = Math.sqrt(1 - beta2 ** t);
    const fused = fusedOptimizerStep(ADAM_STEP, { param: param.variable, grad, m, v }, [weightDecay, beta1, 1 - beta1, beta2, 1 - beta2, bias2, epsilon, stepSize]);
    if (fused !== undefined) {
      [param.variable, m, v].forEach((x, i) => x.assign(fused[i]!));
      return;
    }
    const g = weightDecay !== 0 ? tf.add(grad, tf.mul(param.variable, weightDecay)) : grad;
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
    const denom = tf.add(tf.div(tf.sqrt(v), bias2), epsilon);
    param.variable.assign(tf.sub(param.variable, tf.mul(tf.div(m, denom), stepSize)));
  }

  stateDict(): JsonObject {
    return { type: 'adam', lr: this.lr, steps: Object.fromEntries(this.steps) };
  }

  override loadStateDict(state: JsonObject, slots: ReadonlyMap<string, tf.Tensor>): void {
    super.loadStateDict(state, slots);
    this.steps = new Map(Object.entries(state['steps'] as Record<string, number>));
  }
}
