import { REGULAR } from '../contract/model/fusion-block.js';
import { Rng } from '../contract/rng/rng.js';
import type { ParamGroupId } from '../contract/model/param-group.js';
import type {
  EpochContext,
  GroupNorm,
  LearningSpeed,
  StepContext,
  StrategyContext,
  StrategyDataAccess,
  StrategyMetrics,
} from '../contract/strategy/balancing-strategy.js';
import { metricToRecord } from '../engine/strategy/strategy-metrics.js';
import { silentLogger } from './silent-logger.js';

/** A {@link StrategyMetrics} that keeps every recorded value (by name, in call order) for assertions; as core, it leaves non-finite values out. */
export class RecordedMetrics implements StrategyMetrics {
  readonly values = new Map<string, number[]>();

  record(name: string, value: number): void {
    if (!metricToRecord(name, value)) return;
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }

  /** The last value recorded under `name`, or undefined. */
  last(name: string): number | undefined {
    return this.values.get(name)?.at(-1);
  }
}

/**
 * A data access with no samples (every split has size 0, `forEachBatch` calls nothing), for unit tests of hooks
 * that do not make an extra pass. Tests of a pass use the trainer (`trainTiny`) instead.
 */
export function emptyDataAccess(numClasses = 2): StrategyDataAccess {
  return { numClasses, size: () => 0, forEachBatch: async () => {} };
}

/**
 * A {@link StrategyContext} for unit tests: epoch 1, step 0, two modalities, a seeded `strategy` stream and a
 * silent logger unless `fields` says otherwise.
 */
export function strategyContext(fields: Partial<StrategyContext> = {}): StrategyContext {
  return {
    epoch: 1,
    step: 0,
    stepInEpoch: 0,
    stepsPerEpoch: 10,
    numModalities: 2,
    rng: fields.rng ?? Rng.fromSeed(0, 'strategy'),
    log: fields.log ?? silentLogger(),
    metrics: fields.metrics ?? new RecordedMetrics(),
    ...fields,
  } as StrategyContext;
}

/** An {@link EpochContext} for unit tests: {@link strategyContext} plus an empty data access unless given. */
export function epochContext(fields: Partial<EpochContext> = {}): EpochContext {
  return { ...strategyContext(fields), data: fields.data ?? emptyDataAccess() };
}

/** A {@link StepContext} for unit tests: a regular step with an empty probe unless `fields` says otherwise. */
export function stepContext(fields: Partial<StepContext> = {}): StepContext {
  const base = strategyContext(fields);
  return {
    ...base,
    mode: fields.mode ?? REGULAR,
    speed: fields.speed ?? learningSpeed({ main: zeros(base.numModalities), bypass: zeros(base.numModalities) }),
    groupNorms: fields.groupNorms ?? new Map<ParamGroupId, GroupNorm>(),
    gradientSets: fields.gradientSets ?? new Map(),
    batch: fields.batch ?? { labels: new Int32Array(0), headProbs: [], numClasses: 2 },
  };
}

/**
 * The probe's view (docs/method.md#learning-speed) built from accumulated totals: s_k = log_base(bypass_k / main_k), NaN until
 * both are positive; d = s_0 − s_1 for two modalities, max(s) − min(s) otherwise.
 */
export function learningSpeed(
  total: { readonly main: readonly number[]; readonly bypass: readonly number[] },
  options: { readonly counted?: boolean; readonly logBase?: number; readonly step?: LearningSpeed['step'] } = {},
): LearningSpeed {
  const logBase = options.logBase ?? 10;
  const s = total.main.map((m, k) => {
    const b = total.bypass[k] ?? 0;
    return m > 0 && b > 0 ? Math.log(b / m) / Math.log(logBase) : Number.NaN;
  });
  return {
    step: options.step ?? { main: zeros(s.length), bypass: zeros(s.length) },
    total: { main: [...total.main], bypass: [...total.bypass] },
    counted: options.counted ?? true,
    s,
    dSpeed: s.length === 2 ? s[0]! - s[1]! : Math.max(...s) - Math.min(...s),
  };
}

/**
 * A two-modality probe whose d_speed (log base 10) is exactly `d`: totals main = [1, 1], bypass = [10^d, 1].
 * For scripting the guided state machine (docs/method.md#guided).
 */
export function learningSpeedWithD(d: number, counted = true): LearningSpeed {
  return learningSpeed({ main: [1, 1], bypass: [10 ** d, 1] }, { counted });
}

function zeros(n: number): number[] {
  return Array.from({ length: n }, () => 0);
}

// The trainer's key for a mode, re-exported for tests that compare recorded modes.
export { modeKey } from '../contract/model/fusion-block.js';
