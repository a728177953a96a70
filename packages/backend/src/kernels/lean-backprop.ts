import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-core's engine and tape this module works with (tfjs-core 4.22.0, engine.ts / tape.ts). */
interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  inputs: Record<string, tf.Tensor>;
  readonly outputs: tf.Tensor[];
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  readonly saved?: tf.Tensor[];
}

type GradientsFn = (f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean) => { value: tf.Tensor; grads: tf.Tensor[] };

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients: GradientsFn;
}

let original: GradientsFn | undefined;

/**
 * Replaces the engine's backward pass with one that frees memory as it goes, as PyTorch's autograd does:
 * the gradient of an intermediate tensor is disposed as soon as the op that produced it has used it, and the
 * tensors an op saved for its backward pass are disposed right after that op's backward. Stock tfjs-core
 * (`backpropagateGradients` in tape.ts) keeps every intermediate gradient and every saved tensor until the whole
 * backward pass ends, which roughly doubles the peak memory of a training step. Values are unchanged (same
 * kernels, same order; tested against the stock pass). Higher-order gradients (nested `tf.grad`) keep the saved
 * tensors, as stock does. Idempotent; `uninstallLeanBackprop` restores the stock pass.
 */
export function installLeanBackprop(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (original !== undefined) return;
  original = engine.gradients;
  engine.gradients = function leanGradients(this: EngineInternals, f, xs, dy, allowNoGradients = false) {
    if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = this.scopedRun(
      () => this.startTape(),
      () => this.endTape(),
      () => this.tidy('forward', f),
    );
    if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
    const tape = filteredNodes(this.state.activeTape ?? [], xs, y);
    if (!allowNoGradients && tape.length === 0 && xs.length > 0) {
      throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
    }
    const depth = this.state.gradientDepth;
    return this.tidy('backward', () => {
      const acc = new Map<number, tf.Tensor>();
      acc.set(y.id, dy ?? tf.ones(y.shape));
      const keep = new Set<number>(xs.map((x) => x.id));
      for (let i = tape.length - 1; i >= 0; i--) {
        const node = tape[i]!;
        const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
        if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const inputGradients = node.gradient(dys);
        for (const inputName in node.inputs) {
          if (!(inputName in inputGradients)) {
            throw new Error(`Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients).join(',')}.`);
          }
          const dx = this.tidy(() => inputGradients[inputName]!());
          const x = node.inputs[inputName]!;
          if (dx.dtype !== 'float32') {
            throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`);
          }
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
            );
          }
          const cur = acc.get(x.id);
          if (cur === undefined) {
            acc.set(x.id, dx);
          } else {
            acc.set(x.id, tf.add(cur, dx));
            if (!isReferenced(acc, cur)) cur.dispose();
            if (!isReferenced(acc, dx)) dx.dispose();
          }
        }
        // This node is done: its outputs' gradients and its saved tensors are needed by no one else.
        for (const o of node.outputs) {
          const g = acc.get(o.id);
          if (g === undefined || keep.has(o.id)) continue;
          acc.delete(o.id);
          if (g !== dy && !isReferenced(acc, g)) g.dispose();
        }
        if (depth === 0) for (const t of node.saved ?? []) t.dispose();
      }
      const grads = xs.map((x) => acc.get(x.id)!);
      if (depth === 0) {
        for (const node of this.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
        this.state.activeTape = null;
      }
      return { value: y, grads } as unknown as tf.TensorContainer;
    }) as unknown as { value: tf.Tensor; grads: tf.Tensor[] };
  };
}

/** Puts tfjs-core's own backward pass back. */
export function uninstallLeanBackprop(): void {
  if (original === undefined) return;
  (tf.engine() as unknown as EngineInternals).gradients = original;
  original = undefined;
}

function isReferenced(acc: Map<number, tf.Tensor>, t: tf.Tensor): boolean {
  for (const v of acc.values()) if (v === t) return true;
  return false;
}

/** The tape nodes on a path from some x to y, with inputs pruned to those reached from x (tape.ts semantics). */
function filteredNodes(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const inputName in node.inputs) {
      if (fromX.has(node.inputs[inputName]!.id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const inputName in node.inputs) {
        toY.add(node.inputs[inputName]!.id);
        nodesToY.add(node.id);
      }
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const inputName in node.inputs) if (fromX.has(node.inputs[inputName]!.id)) inputs[inputName] = node.inputs[inputName]!;
    out.push({ ...node, inputs });
  }
  return out;
}
