import type { PluginRegistry } from '../plugin/registry.js';
import type { Logger } from '../log/logger.js';
import type { UtilizationRecord } from '../run/metric-records.js';
import { UngreedyError } from '../errors.js';

export interface EvaluateRunOptions {
  readonly runDir: string;
  readonly registry: PluginRegistry;
  readonly log: Logger;
  readonly checkpoint: 'best' | 'last';
}

/**
 * `ungreedy evaluate <runDir>`: rebuilds the run's model from `config.resolved.json`, loads the checkpoint,
 * and measures test accuracies and the conditional utilization rate (spec §2), appending the record to
 * the run's metrics.
 */
export async function evaluateRun(_options: EvaluateRunOptions): Promise<UtilizationRecord> {
  throw new UngreedyError('UNG_ERR_RUN_NOT_FOUND', 'evaluation is not implemented yet (engine issue).');
}
