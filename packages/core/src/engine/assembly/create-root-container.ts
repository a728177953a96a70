import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { BackendInfo } from '../backend/backend-info.js';
import type { Logger } from '../../contract/log/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { createPluginRegistry } from '../plugin/plugin-registry.js';
import { BACKEND, CLOCK, LOGGER, PLUGIN_REGISTRY } from './tokens.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface RootServices {
  readonly log: Logger;
  /** Default: an empty registry (load plugins into it with `loadPlugins({ registry })`). */
  readonly registry?: PluginRegistry;
  readonly clock?: Clock;
  /** Set once the backend is selected (`selectBackend`). */
  readonly backend?: BackendInfo;
}

/**
 * The process-wide container: Logger, PluginRegistry, Clock and (once chosen) Backend, all as values under
 * the explicit tokens of tokens.ts. Runs get child containers from `createRunContainer`.
 *
 * tsyringe offers no public constructor for an independent container, so the root is a child of its global
 * one; nothing is ever registered on the global container, so roots share nothing.
 */
export function createRootContainer(services: RootServices): DependencyContainer {
  const root = globalContainer.createChildContainer();
  root.register(LOGGER, { useValue: services.log });
  root.register(PLUGIN_REGISTRY, { useValue: services.registry ?? createPluginRegistry() });
  root.register(CLOCK, { useValue: services.clock ?? systemClock });
  if (services.backend !== undefined) root.register(BACKEND, { useValue: services.backend });
  return root;
}
