import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../contract/rng/rng.js';
import type { Encoder } from '../../contract/model/encoder.js';
import { i3d } from './encoders/i3d.js';
import { resnet18 } from './encoders/resnet18.js';
import type { ForwardMode } from '../../contract/model/fusion-block.js';
import type { Mmtm} from './fusion/mmtm.js';
import { mmtm } from './fusion/mmtm.js';
import type { NamedVariable } from '../../contract/model/module.js';
import { setupTestBackend } from '../../testing/test-backend.js';

// Outputs of PyTorch 1.13 on the same weights and inputs, written by testing/fixtures/make-torch-reference.py.
interface Arr {
  shape: number[];
  /** float32 little-endian, base64. */
  f32: string;
}
interface Fixture {
  i3d: { params: Record<string, Arr>; input: Arr; evalStages: Arr[]; trainStages: Arr[] };
  resnet18: { params: Record<string, Arr>; input: Arr; evalStages: Arr[]; trainStages: Arr[]; runningAfterTrain: Record<string, Arr> };
  mmtm: {
    params: Record<string, Arr>;
    inputs: Arr[];
    means: Arr[];
    calls: { mode: 'regular' | 'rebalance' | 'ablate'; k: number; out: Arr[]; r: Arr[] }[];
  };
}
const fixture = JSON.parse(readFileSync(new URL('./testing/fixtures/torch-reference.json', import.meta.url), 'utf8')) as Fixture;

before(setupTestBackend);

function values(a: Arr): Float32Array {
  const bytes = Buffer.from(a.f32, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

const t = (a: Arr): tf.Tensor => tf.tensor(values(a), a.shape);

function assertClose(got: tf.Tensor, want: Arr, tol: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what} shape`);
  const g = got.dataSync();
  let worst = 0;
  values(want).forEach((w, i) => (worst = Math.max(worst, Math.abs(g[i]! - w) / (1 + Math.abs(w)))));
  assert.ok(worst < tol, `${what}: max error ${worst}`);
}

function load(vars: NamedVariable[], params: Record<string, Arr>): void {
  assert.deepEqual(vars.map((v) => v.name).sort(), Object.keys(params).sort(), 'same parameter set as PyTorch');
  for (const v of vars) {
    const p = params[v.name]!;
    assert.deepEqual(v.variable.shape, p.shape, v.name);
    tf.tidy(() => v.variable.assign(t(p)));
  }
}

test('resnet18 matches PyTorch (torchvision layout) in inference and training mode, running statistics included', () => {
  const r = fixture.resnet18;
  const enc = resnet18.create(
    { stem: 'imagenet', widths: [2, 4, 4, 6] },
    { inputShape: [16, 16, 3], modality: 0, namePrefix: 'branch.0.', rng: Rng.fromSeed(1, 'init') },
  ) as Encoder;
  load(enc.variables(), r.params);
  const x = t(r.input);
  for (const [training, stages] of [
    [false, r.evalStages],
    [true, r.trainStages],
  ] as const) {
    tf.tidy(() => {
      let y = x;
      enc.stages.forEach((s, i) => {
        y = s.apply(y, { training });
        assertClose(y, stages[i]!, 1e-4, `${training ? 'train' : 'eval'} ${s.name}`);
      });
    });
  }
  for (const v of enc.variables().filter((e) => !e.trainable)) assertClose(v.variable, r.runningAfterTrain[v.name]!, 1e-5, v.name);
  x.dispose();
  enc.dispose();
});

test('mmtm matches the spec\'s equations in PyTorch: regular, rebalance (both k), ablate-partner, running means', () => {
  const m = fixture.mmtm;
  const block = mmtm.create(
    { ratio: 4, gateScale: 1, runningMean: { update: 'every-forward', momentum: 0.1, legacyGateBug: false } },
    { channels: [4, 6], shapes: [[3, 3, 4], [2, 3, 2, 6]], position: 0, namePrefix: 'fusion.0.', rng: Rng.fromSeed(1, 'init') },
  ) as Mmtm;
  load(block.variables().filter((v) => v.trainable), m.params);
  const xs = m.inputs.map(t);
  const means = m.means.map(t) as tf.Tensor1D[];
  for (const [i, call] of m.calls.entries()) {
    const mode: ForwardMode =
      call.mode === 'regular' ? { kind: 'regular' } : call.mode === 'ablate' ? { kind: 'ablate-partner' } : { kind: 'rebalance', modality: call.k };
    const out = block.apply(xs, { training: i % 2 === 0, mode, squeezeMeans: means });
    out.forEach((o, k) => assertClose(o, call.out[k]!, 1e-5, `call ${i} (${call.mode} ${call.k}) output ${k}`));
    block.runningMeans.forEach((r, k) => assertClose(r, call.r[k]!, 1e-6, `call ${i} running mean ${k}`));
    tf.dispose(out);
  }
  tf.dispose([...xs, ...means]);
  block.dispose();
});

test('i3d matches an Inception-V1 I3D in PyTorch with pytorch-i3d\'s names (inference and training mode)', () => {
  const r = fixture.i3d;
  const enc = i3d.create(
    { width: 1 / 32, batchNorm: { momentum: 0.01, eps: 1e-3 } },
    { inputShape: [6, 20, 18, 2], modality: 0, namePrefix: 'branch.0.', rng: Rng.fromSeed(1, 'init') },
  ) as Encoder;
  load(enc.variables(), r.params);
  const x = t(r.input);
  for (const [training, stages] of [
    [false, r.evalStages],
    [true, r.trainStages],
  ] as const) {
    tf.tidy(() => {
      let y = x;
      enc.stages.forEach((s, i) => {
        y = s.apply(y, { training });
        // Training mode ends with batch statistics over 2 values per channel (1×1×1 maps, batch 2), which
        // amplifies float32 rounding by up to 1/√eps ≈ 32.
        assertClose(y, stages[i]!, training ? 1e-3 : 1e-4, `${training ? 'train' : 'eval'} ${s.name}`);
      });
    });
  }
  x.dispose();
  enc.dispose();
});
