import type { JsonObject } from '../../contract/util/json.js';

/** A chosen component: an id some loaded plugin (or core) provides, and its options. */
export interface ComponentChoice<O = JsonObject> {
  readonly use: string;
  readonly options: O;
}

/**
 * `model.encoders[k].init`: initial weights of an encoder read from a file after the model is built
 * (docs/pretrained.md). Names are matched after stripping `sourcePrefix` from the file's names and
 * `branch.<k>.` from the encoder's.
 */
export interface EncoderInit {
  /** Checkpoint folder, TensorFlow.js `model.json` / weights manifest, relative to the config file's folder. */
  readonly from: string;
  readonly format: 'auto' | 'checkpoint' | 'tfjs';
  /** null: `model/branch.<k>.` for checkpoints; for tfjs the file's common `branch.<j>.` prefix if any, else ''. */
  readonly sourcePrefix: string | null;
  /** Every encoder variable must be found with the same shape (true), or load what matches (false). */
  readonly strict: boolean;
}

/** An encoder choice: a component plus optional initial weights from a file (null or absent: random init). */
export interface EncoderChoice<O = JsonObject> extends ComponentChoice<O> {
  readonly init?: EncoderInit | null;
}

/** `model.heads` (schema/config.schema.json). */
export type ModelHeads = 'separate' | 'shared';
/** `model.fused` (schema/config.schema.json). */
export type ModelFused = 'mean' | 'sum' | 'concat';
/** `train.loss` (schema/config.schema.json). */
export type TrainLoss = 'heads' | 'fused' | 'fused+heads';

export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export type OptimizerConfig =
  | { readonly type: 'sgd'; readonly lr: number; readonly momentum: number; readonly weightDecay: number; readonly nesterov: boolean }
  | { readonly type: 'adam'; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly weightDecay: number };

export type SchedulerConfig =
  | { readonly type: 'none' }
  /** torch.optim.lr_scheduler.ReduceLROnPlateau semantics, stepped once per epoch on `monitor`. */
  | {
      readonly type: 'plateau';
      readonly monitor: 'train/loss' | 'val/loss' | 'val/acc';
      readonly mode: 'min' | 'max';
      readonly factor: number;
      readonly patience: number;
      readonly threshold: number;
      readonly thresholdMode: 'rel' | 'abs';
      readonly cooldown: number;
      readonly minLr: number;
      readonly eps: number;
    }
  | { readonly type: 'step'; readonly stepSize: number; readonly gamma: number }
  | { readonly type: 'cosine'; readonly tMax: number; readonly minLr: number };

/**
 * A resolved experiment: the config file after defaults are merged and every schema passed.
 * The JSON Schema for the file (`schema/config.schema.json`) is the source of truth for defaults and docs.
 */
export interface ExperimentConfig {
  readonly name: string;
  readonly seed: number;
  readonly backend: BackendName;
  /** Packages or paths (relative to the config file) of plugins to load, in order. */
  readonly plugins: readonly string[];
  readonly dataset: ComponentChoice;
  readonly model: {
    /** Which of the dataset's modalities to use, by index; one index = a uni-modal baseline. Default: all. */
    readonly modalities: readonly number[] | null;
    /** One encoder per used modality, or a single one used for every modality. */
    readonly encoders: readonly EncoderChoice[];
    readonly fusion: ComponentChoice & {
      /** Encoder stage indices (0-based) after which a fusion block sits. */
      readonly after: readonly number[];
    };
    /** One linear head per modality (`separate`, default) or one shared by all (`shared`, group `head/shared`). */
    readonly heads?: ModelHeads;
    /** The model's own fused logits (no `fuseLogits`): `mean` (default) or `sum` of heads, or a `concat` classifier. */
    readonly fused?: ModelFused;
  };
  readonly strategy: ComponentChoice;
  readonly train: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly evalBatchSize: number;
    readonly optimizer: OptimizerConfig;
    readonly scheduler: SchedulerConfig;
    /** The base loss (LossInput.baseLoss and the reported loss); default `heads` = Σ_k CE(head_k). */
    readonly loss?: TrainLoss;
    /** Stop after this many epochs (cumulative, never reset) with 100 % fused train accuracy; 0 disables. */
    readonly completedStopping: number;
    /** Write the `last` checkpoint every N training steps as well as at every epoch end; 0 = epoch ends only. */
    readonly checkpointEverySteps: number;
    /** Keep the checkpoint with the best validation accuracy. */
    readonly keepBest: boolean;
    /** Reproduce the reference's accuracy quirk for label tensors of length 2 (docs/method.md#accuracy); off by default. */
    readonly legacyLength2AccuracyQuirk: boolean;
    /** Finite blow-up guard: the step loss above `factor` × the first step's for `patience` steps in a row fails the run. */
    readonly divergence: { readonly enabled: boolean; readonly factor: number; readonly patience: number };
  };
  readonly metrics: {
    /** Log base of the conditional learning speed; the guided threshold is in these units. */
    readonly speedLogBase: number;
    /** Denominator of u(·|·): the branch accuracy A(f_k) (reference reading) or the fused accuracy A(f). */
    readonly utilizationDenominator: 'branch' | 'fused';
    /** Compute u and d_util at the end of the run. */
    readonly utilization: boolean;
    /** Which checkpoint the end-of-run evaluation uses. */
    readonly evaluateCheckpoint: 'best' | 'last';
    /** Recording pass for the squeeze means: with training augmentation (reference) or without. */
    readonly recordWithAugmentation: boolean;
  };
  readonly output: {
    /** Parent folder of run folders, relative to the config file's folder. */
    readonly dir: string;
    /** Run folder name; default `<name>-seed<seed>`. */
    readonly runName: string | null;
  };
}
