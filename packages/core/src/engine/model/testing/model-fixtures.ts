import { pino } from 'pino';
import type { ExperimentConfig } from '../../config/experiment-config.js';
import type { ModalitySpec } from '../../../contract/data/dataset.js';
import type { LoadedPlugin, PluginRegistry } from '../../plugin/registry.js';
import type { ComponentKind, PluginManifest } from '../../../contract/plugin/manifest.js';
import { Rng } from '../../../contract/rng/rng.js';
import type { JsonObject } from '../../../contract/util/json.js';
import { buildModel } from '../build-model.js';
import { encoders } from '../encoders/index.js';
import { fusions } from '../fusion/index.js';
import type { MultiModalModel } from '../multimodal-model.js';

/** A registry holding core's built-in encoders and fusion blocks only (the plugin loader is not needed). */
export function builtinRegistry(): PluginRegistry {
  const manifest: PluginManifest = { meta: { name: '@ungreedy/core', version: '1.0.0', coreApi: '^2.0.0' }, encoders, fusions };
  const plugin: LoadedPlugin = { manifest, specifier: '@ungreedy/core', resolvedFrom: 'builtin' };
  return {
    plugins: [plugin],
    add() {
      throw new Error('builtinRegistry is read-only');
    },
    find<K extends ComponentKind>(kind: K, id: string) {
      const map = manifest[kind] as Record<string, NonNullable<PluginManifest[K]>[string]> | undefined;
      const contribution = map?.[id];
      return contribution === undefined ? undefined : { contribution, plugin };
    },
    ids: (kind: ComponentKind) => Object.keys((manifest[kind] as Record<string, unknown> | undefined) ?? {}).sort(),
  };
}

export interface TinyModelSpec {
  readonly shapes: readonly (readonly number[])[];
  readonly encoders: readonly { use: string; options?: JsonObject }[];
  readonly fusion?: { use: string; options?: JsonObject; after: readonly number[] };
  readonly numClasses?: number;
  readonly seed?: number;
  readonly heads?: ExperimentConfig['model']['heads'];
  readonly fused?: ExperimentConfig['model']['fused'];
}

/** Builds a model from a short spec with the built-in registry and a silent logger. */
export function buildTestModel(spec: TinyModelSpec): Promise<MultiModalModel> {
  const modalities: ModalitySpec[] = spec.shapes.map((shape, k) => ({ name: `m${k}`, shape }));
  const model: ExperimentConfig['model'] = {
    modalities: null,
    encoders: spec.encoders.map((e) => ({ use: e.use, options: e.options ?? {} })),
    fusion: spec.fusion
      ? { use: spec.fusion.use, options: spec.fusion.options ?? {}, after: spec.fusion.after }
      : { use: 'late', options: {}, after: [] },
    ...(spec.heads ? { heads: spec.heads } : {}),
    ...(spec.fused ? { fused: spec.fused } : {}),
  };
  return buildModel({
    model,
    modalities,
    numClasses: spec.numClasses ?? 3,
    registry: builtinRegistry(),
    rng: Rng.fromSeed(spec.seed ?? 7, 'init'),
    log: pino({ level: 'silent' }),
  });
}

/** Number of trainable parameters of the variables. */
export function countTrainable(vars: readonly { variable: { size: number }; trainable: boolean }[]): number {
  return vars.filter((v) => v.trainable).reduce((a, v) => a + v.variable.size, 0);
}
