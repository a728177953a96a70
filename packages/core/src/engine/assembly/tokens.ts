import type { InjectionToken } from 'tsyringe';
import type { Logger } from '../../contract/log/logger.js';
import type { BackendInfo } from '../backend/backend-info.js';
import type { RngStreams } from '../../contract/rng/rng.js';
import type { Clock } from '../util/clock.js';
import type { ExperimentConfig } from '../config/experiment-config.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { RunStore } from '../run/run-store.js';

/**
 * Every DI token (STYLE.md H3): typed symbols, never strings, never emitted decorator metadata.
 * The root container holds process-wide services; each run gets a child container with its own
 * config, RNG streams, run store and logger, so two runs in one process share no state.
 */
export const LOGGER: InjectionToken<Logger> = Symbol('ungreedy.Logger');
export const BACKEND: InjectionToken<BackendInfo> = Symbol('ungreedy.Backend');
export const PLUGIN_REGISTRY: InjectionToken<PluginRegistry> = Symbol('ungreedy.PluginRegistry');
export const RNG: InjectionToken<RngStreams> = Symbol('ungreedy.Rng');
export const RUN_STORE: InjectionToken<RunStore> = Symbol('ungreedy.RunStore');
export const CLOCK: InjectionToken<Clock> = Symbol('ungreedy.Clock');
export const CONFIG: InjectionToken<ExperimentConfig> = Symbol('ungreedy.Config');
