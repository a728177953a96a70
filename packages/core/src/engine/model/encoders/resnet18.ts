import * as tf from '@tensorflow/tfjs-core';
import type { EncoderContribution } from '../../../contract/plugin/manifest.js';
import type { ForwardContext } from '../../../contract/model/module.js';
import type { EncoderStage } from '../../../contract/model/encoder.js';
import { createBatchNorm, type BatchNorm } from '../layers/batch-norm.js';
import { createConv2d, type Conv2d } from '../layers/conv2d.js';
import type { ParamStore } from '../layers/param-store.js';
import { maxPool2d } from '../layers/pool.js';
import { outSize } from '../layers/shape.js';
import { assembleEncoder, checkPositive, newStore, refuseInput } from './encoder-kit.js';

export interface Resnet18Options {
  /**
   * `imagenet`: torchvision's stem, 7×7/2 convolution + 3×3/2 max pool (224×224 → 56×56);
   * `cifar`: a 3×3/1 convolution and no pool, so 32×32 images keep 32×32 in layer1.
   */
  readonly stem: 'imagenet' | 'cifar';
  /** Channels of layer1..layer4 (torchvision: 64, 128, 256, 512). */
  readonly widths: readonly [number, number, number, number];
}

interface BasicBlock {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** torchvision's BasicBlock: conv3×3(stride)-BN-ReLU-conv3×3-BN, plus the (1×1 conv + BN) shortcut, ReLU. */
function basicBlock(store: ParamStore, name: string, inC: number, outC: number, stride: number): BasicBlock {
  const s = store.child(name);
  const conv1 = createConv2d(s, 'conv1', { inChannels: inC, outChannels: outC, kernel: 3, stride, padding: 1 });
  const bn1 = createBatchNorm(s, 'bn1', outC);
  const conv2 = createConv2d(s, 'conv2', { inChannels: outC, outChannels: outC, kernel: 3, stride: 1, padding: 1 });
  const bn2 = createBatchNorm(s, 'bn2', outC);
  let down: { conv: Conv2d; bn: BatchNorm } | null = null;
  if (stride !== 1 || inC !== outC) {
    const d = s.child('downsample');
    down = { conv: createConv2d(d, '0', { inChannels: inC, outChannels: outC, kernel: 1, stride }), bn: createBatchNorm(d, '1', outC) };
  }
  return {
    apply(x, training) {
      let y = tf.relu(bn1.apply(conv1.apply(x), training)) as tf.Tensor4D;
      y = bn2.apply(conv2.apply(y), training) as tf.Tensor4D;
      const identity = down ? down.bn.apply(down.conv.apply(x), training) : x;
      return tf.relu(tf.add(y, identity)) as tf.Tensor4D;
    },
  };
}

/**
 * `resnet18`: torchvision's ResNet-18 (BasicBlock, [2, 2, 2, 2]) without its fc, over [H, W, C] images;
 * 11,176,512 parameters with the ImageNet stem and 3 input channels. Initialised as torchvision
 * (kaiming-normal fan_out convs, BN weight 1 and bias 0); convolutions carry no bias.
 *
 * Stages (fusion `after` indices): 0 = stem + layer1, 1 = layer2, 2 = layer3, 3 = layer4. The reference
 * ModelNet40 model fuses after layer2, layer3 and layer4: `after: [1, 2, 3]`.
 */
export const resnet18: EncoderContribution<Resnet18Options> = {
  meta: {
    docs: {
      description: 'ResNet-18 as torchvision (no fc); stages stem+layer1, layer2, layer3, layer4; `stem: cifar` for small images.',
    },
    defaultOptions: { stem: 'imagenet', widths: [64, 128, 256, 512] },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        stem: { enum: ['imagenet', 'cifar'] },
        widths: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'integer', minimum: 1 } },
      },
    },
  },
  describe: (options) => ({ stages: 4, featureSize: options.widths[3] }),
  create(options, ctx) {
    if (ctx.inputShape.length !== 3) refuseInput('resnet18', ctx, '[H, W, C]', 'Use resnet18 on images.');
    const [inH, inW, inC] = ctx.inputShape as [number, number, number];
    const store = newStore(ctx);
    const widths = options.widths;
    const imagenet = options.stem === 'imagenet';
    const conv1 = imagenet
      ? createConv2d(store, 'conv1', { inChannels: inC, outChannels: widths[0], kernel: 7, stride: 2, padding: 3 })
      : createConv2d(store, 'conv1', { inChannels: inC, outChannels: widths[0], kernel: 3, stride: 1, padding: 1 });
    const bn1 = createBatchNorm(store, 'bn1', widths[0]);
    let [h, w] = conv1.outHW(inH, inW);
    if (imagenet) [h, w] = [outSize(h, 3, 2, 1), outSize(w, 3, 2, 1)];

    const stages: EncoderStage[] = [];
    let c = widths[0];
    for (let layer = 0; layer < 4; layer++) {
      const out = widths[layer]!;
      const stride = layer === 0 ? 1 : 2;
      const blocks = [basicBlock(store, `layer${layer + 1}.0`, c, out, stride), basicBlock(store, `layer${layer + 1}.1`, out, out, 1)];
      [h, w] = [outSize(h, 3, stride, 1), outSize(w, 3, stride, 1)];
      c = out;
      const outShape = [h, w, c];
      const name = layer === 0 ? 'stem+layer1' : `layer${layer + 1}`;
      checkPositive('resnet18', ctx, name, outShape);
      const withStem = layer === 0;
      stages.push({
        name,
        outShape,
        apply(x: tf.Tensor, fctx: ForwardContext) {
          let y = x as tf.Tensor4D;
          if (withStem) {
            y = tf.relu(bn1.apply(conv1.apply(y), fctx.training)) as tf.Tensor4D;
            if (imagenet) y = maxPool2d(y, 3, 2, 1);
          }
          for (const b of blocks) y = b.apply(y, fctx.training);
          return y;
        },
      });
    }
    return assembleEncoder(store, stages);
  },
};
