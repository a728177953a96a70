import type { ComponentKind, PluginManifest } from '../../contract/plugin/manifest.js';

/** Where a loaded plugin came from: its manifest, and the specifier and resolved file it was loaded from. */
export interface LoadedPlugin {
  readonly manifest: PluginManifest;
  readonly specifier: string;
  readonly resolvedFrom: string;
}

/**
 * The components every loaded plugin contributes, by kind and id. Core's built-ins are registered through
 * the same path as a plugin. Registering an id twice is an error naming both plugins.
 */
export interface PluginRegistry {
  readonly plugins: readonly LoadedPlugin[];
  add(plugin: LoadedPlugin): void;
  /** The contribution and the plugin that provides it, or undefined. */
  find<K extends ComponentKind>(
    kind: K,
    id: string,
  ): { contribution: NonNullable<PluginManifest[K]>[string]; plugin: LoadedPlugin } | undefined;
  ids(kind: ComponentKind): string[];
}
