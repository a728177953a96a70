import { UngreedyError } from '../../contract/errors/errors.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { isPlainObject } from '../util/deep-merge.js';
import type { ConfigIssue } from './format-issues.js';

/**
 * The model's shape rules that need the encoders but not their tensors, from each encoder contribution's
 * optional `describe(options)` (stage count, pooled feature size): `model.fusion.after` holds stage indices
 * every encoder has (the core schema refuses repeats) (none for late fusion), and `model.heads: shared` needs one feature size.
 * `validate` and `run` check them before a run folder exists; buildModel checks the built encoders again, so an
 * encoder without `describe` (or a model whose modality count is not known yet) is checked there.
 * Expects `config` after checkComponents (component options merged over their defaults).
 */
export function modelIssues(config: Record<string, unknown>, registry: PluginRegistry, datasetModalities?: number): ConfigIssue[] {
  const model = config['model'];
  if (!isPlainObject(model) || !Array.isArray(model['encoders'])) return [];
  const choices = model['encoders'] as unknown[];
  const used = Array.isArray(model['modalities']) ? model['modalities'].length : (datasetModalities ?? (choices.length > 1 ? choices.length : undefined));
  if (used === undefined || (choices.length !== 1 && choices.length !== used)) return [];
  const described: { k: number; use: string; stages: number; featureSize?: number }[] = [];
  for (let k = 0; k < (choices.length === 1 ? 1 : used); k++) {
    const choice = choices[k];
    if (!isPlainObject(choice) || typeof choice['use'] !== 'string') return [];
    const found = registry.find('encoders', choice['use']);
    if (found?.contribution.describe === undefined) return [];
    let d: { stages: number; featureSize?: number };
    try {
      d = found.contribution.describe(choice['options']);
    } catch (err) {
      throw new UngreedyError(
        'UNG_ERR_PLUGIN_INVALID',
        `encoder "${choice['use']}" of plugin "${found.plugin.manifest.meta.name}" must describe its options without failing, but describe() threw. Fix the plugin.`,
        { plugin: found.plugin.manifest.meta.name, field: `encoders.${choice['use']}.describe` },
        { cause: err },
      );
    }
    described.push({ k, use: choice['use'], ...d });
  }
  const issues: ConfigIssue[] = [];
  const sizes = described.map((d) => d.featureSize);
  if (model['heads'] === 'shared' && used > 1 && sizes.every((f) => f !== undefined) && sizes.some((f) => f !== sizes[0])) {
    issues.push({
      pointer: '/model/heads',
      message: `must be "separate" when the encoders' feature sizes differ, but ${described.map((d) => `model.encoders[${d.k}] ("${d.use}") gives ${d.featureSize}`).join(', ')}`,
      value: 'shared',
    });
  }
  const fusion = model['fusion'];
  if (used < 2 || !isPlainObject(fusion) || !Array.isArray(fusion['after'])) return issues;
  const after = fusion['after'] as unknown[];
  if (fusion['use'] === 'late') {
    if (after.length > 0) issues.push({ pointer: '/model/fusion/after', message: 'must be [] for late fusion, which has no intermediate fusion points', value: after });
    return issues;
  }
  const fewest = described.reduce((a, b) => (b.stages < a.stages ? b : a));
  after.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isInteger(p)) return; // a core schema issue already
    if (p > fewest.stages - 1) {
      issues.push({
        pointer: `/model/fusion/after/${i}`,
        message: `must be a stage index in [0, ${fewest.stages - 1}], since encoder "${fewest.use}" (model.encoders[${fewest.k}]) has ${fewest.stages} stages, but got ${p}`,
        value: p,
      });
    }
  });
  return issues;
}
