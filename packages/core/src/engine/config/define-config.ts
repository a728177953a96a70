import type { ExperimentConfig, ComponentChoice, EncoderInit } from './experiment-config.js';
import type { JsonObject } from '../../contract/util/json.js';

type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

type Choice = { readonly use: string; readonly options?: JsonObject };
type EncoderChoiceInput = Choice & { readonly init?: (Pick<EncoderInit, 'from'> & Partial<EncoderInit>) | null };

/**
 * A config as written by hand: everything with a default may be left out (see schema/config.schema.json).
 * Component options are checked at load time against each component's own schema.
 */
export type ExperimentConfigInput = Omit<DeepPartial<ExperimentConfig>, 'dataset' | 'model' | 'strategy'> & {
  readonly $schema?: string;
  readonly dataset: Choice;
  readonly model: {
    readonly modalities?: readonly number[] | null;
    readonly encoders: readonly EncoderChoiceInput[];
    readonly fusion?: Choice & { readonly after?: readonly number[] };
  };
  readonly strategy?: Choice;
};

/**
 * Types a config written in TypeScript or JavaScript (`ungreedy.config.ts` default-exporting it); the CLI
 * validates it exactly like a JSON or YAML file.
 *
 * @example
 * export default defineConfig({
 *   name: 'cmnist', seed: 1, plugins: ['@ungreedy/dataset-colored-mnist'],
 *   dataset: { use: 'colored-mnist' },
 *   model: { encoders: [{ use: 'cnn' }], fusion: { use: 'mmtm', after: [1, 2] } },
 *   strategy: { use: 'guided', options: { alpha: 0.5 } },
 * });
 */
export function defineConfig<const C extends ExperimentConfigInput>(config: C): C {
  return config;
}

export type { ComponentChoice, EncoderInit };
