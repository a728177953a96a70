import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { MultiModalModel } from '../model/multimodal-model.js';
import type { JsonObject } from '../../contract/util/json.js';
import { readCheckpointFiles, writeCheckpointFiles } from '../run/checkpoint-files.js';
import type { Optimizer } from './optimizer.js';

// The folder format lives with the run's files; re-exported here because a checkpoint is written and read by the trainer.
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  hasCheckpoint,
  nodeCheckpointFs,
  readCheckpointFiles,
  readCheckpointState,
  writeCheckpointFiles,
  type CheckpointFs,
  type StoredTensor,
} from '../run/checkpoint-files.js';

const MODEL_PREFIX = 'model/';
const SLOT_PREFIX = 'optimizer/';

/** Saves every model variable (trainable and buffers, by name), the optimizer's slots and the trainer's JSON state. */
export async function saveCheckpoint(
  dir: string,
  model: MultiModalModel,
  optimizer: Optimizer | null,
  state: JsonObject,
): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  for (const v of model.variables()) tensors.set(MODEL_PREFIX + v.name, v.variable);
  if (optimizer) for (const [name, v] of optimizer.slots()) tensors.set(SLOT_PREFIX + name, v);
  await writeCheckpointFiles(dir, tensors, {
    ...state,
    model: model.stateDict(),
    optimizer: optimizer ? optimizer.stateDict() : null,
  });
}

/**
 * Restores the model's variables and state (and the optimizer's, when given) from a checkpoint and returns the
 * trainer's JSON state. A variable set or shape that differs from the model is `UNG_ERR_CHECKPOINT_MISMATCH`.
 */
export function loadCheckpoint(dir: string, model: MultiModalModel, optimizer: Optimizer | null): JsonObject {
  const { tensors, state } = readCheckpointFiles(dir);
  const mismatch = (reason: string): UngreedyError =>
    new UngreedyError(
      'UNG_ERR_CHECKPOINT_MISMATCH',
      `checkpoint ${dir} should hold the variables of this run's model, but ${reason}. Resume with the run's own config.`,
      { dir, reason },
    );
  const vars = model.variables();
  for (const v of vars) {
    const t = tensors.get(MODEL_PREFIX + v.name);
    if (!t) throw mismatch(`variable "${v.name}" is missing`);
    if (t.shape.join(',') !== v.variable.shape.join(',')) {
      throw mismatch(`variable "${v.name}" has shape [${t.shape.join(', ')}] instead of [${v.variable.shape.join(', ')}]`);
    }
  }
  const stored = [...tensors.keys()].filter((k) => k.startsWith(MODEL_PREFIX)).length;
  if (stored !== vars.length) throw mismatch(`it holds ${stored} model variables instead of ${vars.length}`);
  for (const v of vars) {
    const t = tensors.get(MODEL_PREFIX + v.name)!;
    tf.tidy(() => v.variable.assign(tf.tensor(t.values, t.shape, t.dtype)));
  }
  model.loadStateDict(state['model'] as JsonObject);
  if (optimizer) {
    const slotState = state['optimizer'] as JsonObject | null;
    if (!slotState) throw mismatch('it holds no optimizer state');
    const slots = new Map<string, tf.Tensor>();
    try {
      for (const [k, t] of tensors) {
        if (k.startsWith(SLOT_PREFIX)) slots.set(k.slice(SLOT_PREFIX.length), tf.tensor(t.values, t.shape, t.dtype));
      }
      try {
        optimizer.loadStateDict(slotState, slots);
      } catch (err) {
        throw new UngreedyError(
          'UNG_ERR_CHECKPOINT_MISMATCH',
          `checkpoint ${dir} should hold this run's optimizer state, but it does not fit. Resume with the run's own config.`,
          { dir, reason: 'optimizer' },
          { cause: err },
        );
      }
    } finally {
      for (const t of slots.values()) t.dispose();
    }
  }
  return state;
}

/** The last epoch a checkpoint's state had finished (a mid-epoch checkpoint counts the epoch before it). */
export function completedEpoch(state: JsonObject, fallback: number): number {
  const p = state['progress'] as { epoch?: number; inEpoch?: boolean } | undefined;
  if (!p || typeof p.epoch !== 'number') return fallback;
  return p.inEpoch ? p.epoch : p.epoch - 1;
}
