/**
 * Every error ungreedy raises has a code from this table (STYLE.md H7). Messages follow
 * "<subject> <expectation>, but got <actual>. <fix>"; tests assert `code` and `data`, never the text.
 * docs/errors.md has one section per code, and errors.test.ts keeps the two in sync.
 */
export const ERROR_CODES = {
  UNG_ERR_BACKEND_UNAVAILABLE: 'A requested TensorFlow.js backend could not be loaded.',
  UNG_ERR_CHECKPOINT_CORRUPT: 'A checkpoint file is missing, truncated or does not match the model.',
  UNG_ERR_CHECKPOINT_MISMATCH: 'A checkpoint holds state for a different model, strategy or config.',
  UNG_ERR_CLI_USAGE: 'A command line could not be understood.',
  UNG_ERR_COMPARE_FAILED: 'One or more runs of a comparison failed.',
  UNG_ERR_CONFIG_INVALID: 'An experiment config does not match the schema of core and its components.',
  UNG_ERR_CONFIG_NOT_FOUND: 'An experiment config file does not exist.',
  UNG_ERR_CONFIG_PARSE: 'An experiment config file is not valid JSON or YAML.',
  UNG_ERR_DATASET_CORRUPT: 'A dataset file exists but its content is malformed.',
  UNG_ERR_DATASET_MISSING: 'A dataset file or folder the dataset needs does not exist.',
  UNG_ERR_DATASET_TOO_SMALL: 'A split asks for more samples than the data holds, or a split is empty.',
  UNG_ERR_DECODE_FAILED: 'An external decoder (ffmpeg) could not run or crashed; a file it cannot read is UNG_ERR_DATASET_CORRUPT.',
  UNG_ERR_EXECUTOR_FAILED: 'An executor (where compare runs its cells) could not submit, poll or cancel its tasks.',
  UNG_ERR_FS_IS_FOLDER: 'A path that must be a file is a folder, or a path that must be a folder is a file.',
  UNG_ERR_FS_NO_SPACE: 'The disk (or the quota) is full: a file could not be written.',
  UNG_ERR_FS_PERMISSION: 'The operating system refused to read or write a path (permission denied).',
  UNG_ERR_FS_READ_ONLY: 'A path could not be written because its file system is mounted read-only.',
  UNG_ERR_HOOK_FAILED: 'A strategy or observer hook threw.',
  UNG_ERR_MODEL_MISMATCH: 'The model, the dataset and the fusion positions do not fit together.',
  UNG_ERR_PLUGIN_CORE_RANGE: 'A plugin was built for a core API range that the installed core does not satisfy.',
  UNG_ERR_PLUGIN_DEPENDENCY: 'A plugin names a dependency plugin that is not loaded.',
  UNG_ERR_PLUGIN_DUPLICATE_ID: 'Two plugins contribute a component with the same id.',
  UNG_ERR_PLUGIN_INVALID: 'A plugin module does not export a valid manifest.',
  UNG_ERR_PLUGIN_NOT_FOUND: 'A plugin named in a config could not be found.',
  UNG_ERR_RUN_DIVERGED: 'Training produced a NaN or infinite loss, or a finite loss that blew up (train.divergence).',
  UNG_ERR_RUN_FAILED: 'A run ended without success and left no more specific error (its process was killed or crashed).',
  UNG_ERR_RUN_FILE_CORRUPT: 'A file of a run folder (manifest, summary, metrics, resolved config) is torn or malformed.',
  UNG_ERR_RUN_INTERRUPTED: 'A run was stopped by SIGINT or SIGTERM after writing its checkpoint.',
  UNG_ERR_RUN_LOCKED: 'Another process is writing the run folder (its lock file names the writer).',
  UNG_ERR_RUN_NOT_FOUND: 'A folder given as a run folder is not one.',
  UNG_ERR_SLURM_QUERY_FAILED: 'squeue, sacct or scontrol could not report the state of a submitted job array.',
  UNG_ERR_SLURM_REJECTED: 'sbatch refused the job array (unknown partition or account, a limit, a bad option): Slurm\'s message says why.',
  UNG_ERR_SLURM_UNAVAILABLE: 'A Slurm command (sbatch, squeue, scancel) is not installed, or no Slurm controller answers.',
  UNG_ERR_UNKNOWN_COMPONENT: 'A config names a dataset, encoder, fusion or strategy id that no loaded plugin provides.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes for bad input (exit 2); anything else is a failed run (exit 1). */
export const INPUT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNG_ERR_CLI_USAGE',
  'UNG_ERR_CONFIG_INVALID',
  'UNG_ERR_CONFIG_NOT_FOUND',
  'UNG_ERR_CONFIG_PARSE',
  'UNG_ERR_DATASET_CORRUPT',
  'UNG_ERR_DATASET_MISSING',
  'UNG_ERR_DATASET_TOO_SMALL',
  'UNG_ERR_FS_IS_FOLDER',
  'UNG_ERR_FS_PERMISSION',
  'UNG_ERR_FS_READ_ONLY',
  'UNG_ERR_MODEL_MISMATCH',
  'UNG_ERR_PLUGIN_CORE_RANGE',
  'UNG_ERR_PLUGIN_DEPENDENCY',
  'UNG_ERR_PLUGIN_DUPLICATE_ID',
  'UNG_ERR_PLUGIN_INVALID',
  'UNG_ERR_PLUGIN_NOT_FOUND',
  'UNG_ERR_RUN_FILE_CORRUPT',
  'UNG_ERR_RUN_NOT_FOUND',
  'UNG_ERR_UNKNOWN_COMPONENT',
  'UNG_ERR_CHECKPOINT_MISMATCH',
  'UNG_ERR_RUN_LOCKED',
  'UNG_ERR_EXECUTOR_FAILED',
  'UNG_ERR_SLURM_REJECTED',
  'UNG_ERR_SLURM_UNAVAILABLE',
]);

/**
 * The one error class. `data` carries the structured facts (file, pointer, ids) that tests assert on
 * and tools read; `cause` keeps the original error so the CLI can print the "Reason:" chain.
 */
export class UngreedyError extends Error {
  override readonly name = 'UngreedyError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/** Whether `err` is an UngreedyError, optionally with a given code. */
export function isUngreedyError(err: unknown, code?: ErrorCode): err is UngreedyError {
  return err instanceof UngreedyError && (code === undefined || err.code === code);
}

/** Throws an UngreedyError when `cond` is false; the message is built only on failure (TF.js util.assert). */
export function assertInput(
  cond: unknown,
  code: ErrorCode,
  message: () => string,
  data: Record<string, unknown> = {},
): asserts cond {
  if (!cond) throw new UngreedyError(code, message(), data);
}
