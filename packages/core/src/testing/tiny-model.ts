import { builtinPlugin } from '../engine/assembly/builtins.js';
import type { ExperimentConfig } from '../engine/config/experiment-config.js';
import { buildModel } from '../engine/model/build-model.js';
import type { MultiModalModel } from '../engine/model/multimodal-model.js';
import { createPluginRegistry } from '../engine/plugin/plugin-registry.js';
import type { PluginManifest } from '../contract/plugin/manifest.js';
import { Rng } from '../contract/rng/rng.js';
import type { JsonObject } from '../contract/util/json.js';
import { silentLogger } from './silent-logger.js';

/** An encoder or fusion choice as in a config's `model` section: a registered id and its options. */
export interface TinyModelChoice {
  readonly use: string;
  readonly options?: JsonObject;
}

export interface TinyModelOptions {
  /** Input shape of each modality, in order (modality k is named `m<k>`). */
  readonly inputs: readonly (readonly number[])[];
  /** One encoder for every modality, or one per modality (`model.encoders`). */
  readonly encoders: readonly TinyModelChoice[];
  /** The fusion block and the stages it follows (`model.fusion`); late fusion by default. */
  readonly fusion?: TinyModelChoice & { readonly after: readonly number[] };
  /** Default 3. */
  readonly numClasses?: number;
  /** Seed of the `init` stream the initial weights come from; default 1. */
  readonly seed?: number;
  /** Plugins whose encoders or fusion blocks the model may use, after core's built-ins. */
  readonly plugins?: readonly PluginManifest[];
}

/** The model {@link buildTinyModel} returns: core's multi-modal model (`forward`, `applyHead`, `dispose`, ...). */
export type TinyModel = MultiModalModel;

/**
 * Builds a real multi-modal model with core's `buildModel` (packages/core/docs/model-options.md): the given encoders
 * and fusion block from core's built-ins (and `plugins`), a linear head per modality, weights from the seeded `init`
 * stream. For a strategy's test that runs a forward mode (say `rebalance`) through real fusion blocks; the caller
 * disposes it.
 *
 * @example
 * const model = await buildTinyModel({ inputs: [[3], [3]], encoders: [{ use: 'mlp' }], fusion: { use: 'mmtm', after: [0] } });
 */
export function buildTinyModel(options: TinyModelOptions): Promise<TinyModel> {
  const registry = createPluginRegistry();
  for (const manifest of [builtinPlugin, ...(options.plugins ?? [])]) {
    registry.add({ manifest, specifier: manifest.meta.name, resolvedFrom: '<buildTinyModel>' });
  }
  const fusion = options.fusion ?? { use: 'late', after: [] };
  const model: ExperimentConfig['model'] = {
    modalities: null,
    encoders: options.encoders.map(({ use, options: o }) => ({ use, options: o ?? {} })),
    fusion: { use: fusion.use, options: fusion.options ?? {}, after: fusion.after },
  };
  return buildModel({
    model,
    modalities: options.inputs.map((shape, k) => ({ name: `m${k}`, shape })),
    numClasses: options.numClasses ?? 3,
    registry,
    rng: Rng.fromSeed(options.seed ?? 1, 'init'),
    log: silentLogger(),
  });
}
