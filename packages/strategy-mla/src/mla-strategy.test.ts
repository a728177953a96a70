import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '@ungreedy/core';
import type { ForwardMode, GradientsByGroup, JsonObject, LossInput, ParamGroupId, StepContext, StrategyContext } from '@ungreedy/core';
import { resolveOptions, setupTestBackend, silentLogger, stepContext, strategyContext } from '@ungreedy/core/testing';
import { mla } from './index.js';
import type { MlaOptions, MlaStrategy } from './index.js';

// The strategy's hooks on hand-made steps (two modalities, features of size 2, one class logit column).

before(setupTestBackend);

const log = silentLogger();
const regular = { kind: 'regular' } as ForwardMode;

function make(options: Partial<MlaOptions> = {}): MlaStrategy {
  return mla.create(resolveOptions('mla', mla.meta, options), { numModalities: 2, log }) as MlaStrategy;
}

function lossInput(features: number[][][]): LossInput {
  const heads = [tf.tensor2d([[2, 0]]), tf.tensor2d([[0, 1]])];
  return {
    heads,
    features: features.map((f) => tf.tensor2d(f)),
    oneHot: tf.tensor2d([[1, 0]]),
    crossEntropy: (logits: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(tf.tensor2d([[1, 0]]), tf.logSoftmax(logits)), 1))),
  } as unknown as LossInput;
}

function grads(kernel: number[]): GradientsByGroup {
  const p = (name: string, shape: number[], values: number[]) => ({ name, shape, grad: tf.tensor(values, shape), weight: tf.zeros(shape) });
  return new Map([
    ['branch/0', [p('branch0/w', [2], [1, 1])]],
    ['branch/1', [p('branch1/w', [2], [1, 1])]],
    ['head/shared', [p('head/kernel', [2, 1], kernel), p('head/bias', [1], [5])]],
  ]) as unknown as GradientsByGroup;
}

function ctx(step: number, recorded: [string, number][] = []): StepContext {
  return stepContext({ step, stepInEpoch: 0, metrics: { record: (n: string, v: number) => void recorded.push([n, v]) } } as Partial<StepContext>);
}

function lossCtx(step: number, recorded: [string, number][] = []): StrategyContext & { readonly mode: ForwardMode } {
  return { ...strategyContext({ step, metrics: { record: (n: string, v: number) => void recorded.push([n, v]) } } as Partial<StrategyContext>), mode: regular };
}

function kernelOf(out: GradientsByGroup): number[] {
  return Array.from(out.get('head/shared' as ParamGroupId)![0]!.grad.dataSync());
}

test('step t trains modality t mod 2: its head loss, its encoder, the shared head; the other encoder is dropped', () => {
  const strategy = make({ normalizeProjector: false });
  const recorded: [string, number][] = [];
  const input = lossInput([[[0, 0]], [[1, 0]]]);
  const loss = strategy.wrapLoss!(input, lossCtx(1, recorded));
  // CE of head 1 = [0, 1] on class 0: ln(1 + e).
  assert.ok(Math.abs(loss.dataSync()[0]! - Math.log(1 + Math.E)) < 1e-5);
  const out = strategy.transformGradients!(grads([2, 3]), ctx(1));
  assert.deepEqual([...out.keys()].sort(), ['branch/1', 'head/shared']);
  // The very first head update is left alone (the paper's code).
  assert.deepEqual(kernelOf(out), [2, 3]);
  assert.ok(Math.abs(Object.fromEntries([...recorded])['loss/1']! - Math.log(1 + Math.E)) < 1e-5);
});

test('from the second update on, the kernel gradient is multiplied by P (α = 0.1 at the epoch start)', () => {
  const strategy = make({ normalizeProjector: false });
  strategy.wrapLoss!(lossInput([[[0, 0]], [[1, 0]]]), lossCtx(1));
  strategy.transformGradients!(grads([2, 3]), ctx(1));
  // Step 2 trains modality 0, mean feature h̄ = [1, 0]: P = diag(1 − 1/1.1, 1); ∇K = [2, 3] → [2/11, 3].
  strategy.wrapLoss!(lossInput([[[1, 0]], [[0, 0]]]), lossCtx(2));
  const recorded: [string, number][] = [];
  const out = strategy.transformGradients!(grads([2, 3]), ctx(2, recorded));
  assert.deepEqual([...out.keys()].sort(), ['branch/0', 'head/shared']);
  const k = kernelOf(out);
  assert.ok(Math.abs(k[0]! - 2 / 11) < 1e-6 && Math.abs(k[1]! - 3) < 1e-6, `${k}`);
  assert.deepEqual(Array.from(out.get('head/shared' as ParamGroupId)![1]!.grad.dataSync()), [5], 'the bias is not projected');
  const kept = Object.fromEntries(recorded)['headGradKept']!;
  assert.ok(Math.abs(kept - Math.hypot(2 / 11, 3) / Math.hypot(2, 3)) < 1e-6);
  // The projector survives JSON bit for bit.
  const fresh = make({ normalizeProjector: false });
  fresh.loadStateDict!(JSON.parse(JSON.stringify(strategy.stateDict!())) as JsonObject);
  assert.deepEqual(fresh.stateDict!(), strategy.stateDict!());
  assert.throws(() => fresh.loadStateDict!({ updates: 2, dim: 3, projector: (strategy.stateDict!() as { projector: string }).projector }), /UNG_ERR_CHECKPOINT_MISMATCH/);
});

test('gradientModification: false leaves the kernel gradient; a model without a shared head is refused', () => {
  const plain = make({ gradientModification: false });
  for (const step of [0, 1, 2]) {
    plain.wrapLoss!(lossInput([[[1, 0]], [[0, 1]]]), lossCtx(step));
    assert.deepEqual(kernelOf(plain.transformGradients!(grads([2, 3]), ctx(step))), [2, 3]);
  }
  const strategy = make();
  strategy.wrapLoss!(lossInput([[[1, 0]], [[0, 1]]]), lossCtx(0));
  const separate = new Map([...grads([2, 3])].filter(([g]) => g !== 'head/shared')) as unknown as GradientsByGroup;
  assert.throws(() => strategy.transformGradients!(separate, ctx(0)), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'UNG_ERR_MODEL_MISMATCH');
    assert.equal((err as { data: Record<string, unknown> }).data['pointer'], '/model/heads');
    return true;
  });
});

test('fuseLogits: entropy-weighted by default, the plain mean with fusion: mean', () => {
  const heads = [tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]])];
  const fctx = { training: false, phase: 'test' as const, features: [] };
  const e = make().fuseLogits!(heads, fctx).dataSync();
  assert.ok(Math.abs(e[0]! - 0.5851829) < 1e-5 && Math.abs(e[1]!) < 1e-6, `${e}`);
  const m = make({ fusion: 'mean' }).fuseLogits!(heads, fctx).dataSync();
  assert.ok(Math.abs(m[0]! - Math.log(3) / 2) < 1e-6);
});
