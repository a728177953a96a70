import type { DatasetDescription, ModalitySpec, SplitName } from '../../contract/data/dataset.js';
import { UngreedyError } from '../../contract/errors/errors.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { ConfigIssue } from './format-issues.js';

/**
 * The rules that tie a config's model to its dataset's modalities, in one place: `validate` and `run` check
 * them against a dataset's cheap description before a run folder exists (check-against-dataset.ts), and the
 * trainer checks them again against the created dataset (resolveModalities).
 * - `model.modalities`: distinct indices below the dataset's modality count, at least one;
 * - `model.encoders`: one encoder, or one per used modality.
 */
export function modalityIssues(model: unknown, available: readonly ModalitySpec[]): ConfigIssue[] {
  if (!isPlainObject(model)) return [];
  const count = available.length;
  const raw = model['modalities'];
  const chosen = Array.isArray(raw) ? raw : Array.from({ length: count }, (_, i) => i);
  const names = available.map((m) => m.name).join(', ');
  const issues: ConfigIssue[] = [];
  if (Array.isArray(raw)) {
    const bad = raw.filter((m) => !Number.isInteger(m) || (m as number) < 0 || (m as number) >= count);
    if (raw.length === 0 || bad.length > 0 || new Set(raw).size !== raw.length) {
      issues.push({
        pointer: '/model/modalities',
        message: `must be distinct indices below the dataset's ${count} modalities (${names}), but got ${JSON.stringify(raw)}`,
        value: raw,
      });
    }
  }
  const encoders = encoderCountIssue(model, chosen.length);
  if (encoders !== undefined) issues.push(encoders);
  return issues;
}

/** `model.encoders` must hold one encoder (shared by every modality) or one per used modality. */
export function encoderCountIssue(model: Record<string, unknown>, used: number): ConfigIssue | undefined {
  const encoders = model['encoders'];
  if (!Array.isArray(encoders) || encoders.length === 1 || encoders.length === used) return undefined;
  return {
    pointer: '/model/encoders',
    message: `must hold 1 encoder (for every modality) or ${used} (one per used modality), but got ${encoders.length}`,
    value: encoders.length,
  };
}

/** Every issue of a config against its dataset's description: modalities, encoders, the dataset's own problems, empty splits. */
export function datasetIssues(config: Record<string, unknown>, description: DatasetDescription, datasetId: string): ConfigIssue[] {
  // A dataset that could not read its files (a missing root, say) reports that as its problem and knows no
  // modalities: checking the config's modality indices against none would only repeat that problem, wrongly.
  const unreadable = description.modalities.length === 0 && (description.problems?.length ?? 0) > 0;
  const issues = unreadable ? [] : modalityIssues(config['model'], description.modalities);
  for (const p of description.problems ?? []) {
    issues.push({ pointer: `/dataset/options${p.pointer}`, message: p.message, ...(p.value === undefined ? {} : { value: p.value }) });
  }
  for (const split of ['train', 'test'] as const satisfies readonly SplitName[]) {
    const size = description.sizes?.[split];
    if (size === 0) {
      issues.push({
        pointer: '/dataset/options',
        message: `must give dataset "${datasetId}" a non-empty ${split} split, but it would hold 0 samples`,
      });
    }
  }
  return issues;
}

/** The first modality issue as the UNG_ERR_MODEL_MISMATCH the trainer throws against a created dataset. */
export function modalityMismatchError(issue: ConfigIssue, data: Record<string, unknown>): UngreedyError {
  return new UngreedyError('UNG_ERR_MODEL_MISMATCH', `model${issue.pointer.replace(/\//g, '.').replace(/^\.model/, '')} ${issue.message}. Fix ${issue.pointer} in the config.`, data);
}
