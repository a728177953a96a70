import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../../contract/rng/rng.js';
import type { NamedVariable } from '../../../contract/model/module.js';
import type { ParamGroupId } from '../../../contract/model/param-group.js';

/**
 * Creates a module's variables from the run's `Rng` and remembers them under stable, prefixed names.
 * TensorFlow.js initialisers ignore seeds, so every initial value is generated here in JavaScript and
 * wrapped with `tf.variable`. The tf.Variable itself gets an automatic (globally unique) name, so two models
 * with the same parameter names can live side by side; checkpoints use `NamedVariable.name`.
 *
 * @example
 * const store = new ParamStore('branch.0.', rng);
 * const w = store.normal('conv1.weight', [3, 3, 3, 16], 0.1);
 * store.variables(); // [{ name: 'branch.0.conv1.weight', variable: w, trainable: true }]
 */
export class ParamStore {
  private constructor(
    readonly prefix: string,
    readonly rng: Rng,
    private readonly list: NamedVariable[],
    private readonly group: ParamGroupId | undefined,
  ) {}

  static create(prefix: string, rng: Rng, group?: ParamGroupId): ParamStore {
    return new ParamStore(prefix, rng, [], group);
  }

  /** A view that prefixes names with `<prefix><name>.` and adds to the same list. */
  child(name: string, group?: ParamGroupId): ParamStore {
    return new ParamStore(`${this.prefix}${name}.`, this.rng, this.list, group ?? this.group);
  }

  /** A view with the same prefix that tags what it creates with `group`. */
  grouped(group: ParamGroupId): ParamStore {
    return new ParamStore(this.prefix, this.rng, this.list, group);
  }

  /** Wraps given initial values in a variable. */
  add(name: string, shape: readonly number[], values: Float32Array, trainable = true): tf.Variable {
    const initial = tf.tensor(values, [...shape], 'float32');
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    const entry: NamedVariable =
      this.group === undefined
        ? { name: this.prefix + name, variable, trainable }
        : { name: this.prefix + name, variable, trainable, group: this.group };
    this.list.push(entry);
    return variable;
  }

  /** N(0, std²) initial values. */
  normal(name: string, shape: readonly number[], std: number): tf.Variable {
    return this.add(name, shape, this.rng.fillNormal(new Float32Array(sizeOf(shape)), 0, std));
  }

  /** U(-bound, bound) initial values. */
  uniform(name: string, shape: readonly number[], bound: number): tf.Variable {
    const values = new Float32Array(sizeOf(shape));
    for (let i = 0; i < values.length; i++) values[i] = this.rng.uniform(-bound, bound);
    return this.add(name, shape, values);
  }

  /** A constant-filled variable; buffers (running statistics) pass `trainable = false`. */
  fill(name: string, shape: readonly number[], value: number, trainable = true): tf.Variable {
    return this.add(name, shape, new Float32Array(sizeOf(shape)).fill(value), trainable);
  }

  variables(): NamedVariable[] {
    return this.list.slice();
  }

  dispose(): void {
    for (const v of this.list) v.variable.dispose();
    this.list.length = 0;
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
