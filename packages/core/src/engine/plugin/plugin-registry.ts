import { UngreedyError } from '../../contract/errors/errors.js';
import { COMPONENT_KINDS, type ComponentKind, type PluginManifest } from '../../contract/plugin/manifest.js';
import type { LoadedPlugin, PluginRegistry } from './registry.js';
import { checkCoreRange } from './check-core-range.js';
import { validateManifest } from './validate-manifest.js';

type Entry = { contribution: unknown; plugin: LoadedPlugin };

/**
 * The registry every run resolves components from. `add` runs the loader's checks in Fastify's order:
 * manifest shape → core API range → dependencies → duplicate ids, and registers nothing unless all pass.
 * One instance per container: nothing here is global.
 */
export class DefaultPluginRegistry implements PluginRegistry {
  private readonly loaded: LoadedPlugin[] = [];
  private readonly byKind = new Map<ComponentKind, Map<string, Entry>>(COMPONENT_KINDS.map((k) => [k, new Map()]));

  constructor(private readonly coreVersion?: string) {}

  get plugins(): readonly LoadedPlugin[] {
    return this.loaded;
  }

  add(plugin: LoadedPlugin): void {
    const manifest = validateManifest(plugin.manifest, plugin.resolvedFrom);
    const { name } = manifest.meta;
    const same = this.loaded.find((p) => p.manifest.meta.name === name);
    if (same !== undefined) {
      // Listing a plugin twice (or core's built-ins in `plugins`) is harmless when it is the same module.
      if (same.manifest === manifest || same.resolvedFrom === plugin.resolvedFrom) return;
      throw duplicate('plugin', name, same, plugin);
    }
    checkCoreRange(manifest.meta, this.coreVersion);
    for (const dependency of manifest.meta.dependencies ?? []) {
      if (!this.loaded.some((p) => p.manifest.meta.name === dependency)) {
        throw new UngreedyError(
          'UNG_ERR_PLUGIN_DEPENDENCY',
          `plugin "${name}" needs plugin "${dependency}" loaded before it, but it is not among the loaded plugins ` +
            `(${this.loaded.map((p) => p.manifest.meta.name).join(', ') || 'none'}). ` +
            `Fix: install "${dependency}" and list it before "${name}" in the config's "plugins".`,
          { plugin: name, dependency, loaded: this.loaded.map((p) => p.manifest.meta.name) },
        );
      }
    }
    for (const kind of COMPONENT_KINDS) {
      const table = this.byKind.get(kind)!;
      for (const id of Object.keys(manifest[kind] ?? {})) {
        const existing = table.get(id);
        if (existing !== undefined) throw duplicate(kind, id, existing.plugin, plugin);
      }
    }
    const stored: LoadedPlugin = { ...plugin, manifest };
    for (const kind of COMPONENT_KINDS) {
      const table = this.byKind.get(kind)!;
      for (const [id, contribution] of Object.entries(manifest[kind] ?? {})) table.set(id, { contribution, plugin: stored });
    }
    this.loaded.push(stored);
  }

  find<K extends ComponentKind>(
    kind: K,
    id: string,
  ): { contribution: NonNullable<PluginManifest[K]>[string]; plugin: LoadedPlugin } | undefined {
    const entry = this.byKind.get(kind)?.get(id);
    if (entry === undefined) return undefined;
    return { contribution: entry.contribution as NonNullable<PluginManifest[K]>[string], plugin: entry.plugin };
  }

  ids(kind: ComponentKind): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])].sort();
  }
}

/** A fresh, empty registry. */
export function createPluginRegistry(coreVersion?: string): PluginRegistry {
  return new DefaultPluginRegistry(coreVersion);
}

function duplicate(kind: string, id: string, first: LoadedPlugin, second: LoadedPlugin): UngreedyError {
  const a = first.manifest.meta.name;
  const b = second.manifest.meta.name;
  return new UngreedyError(
    'UNG_ERR_PLUGIN_DUPLICATE_ID',
    `${kind} id "${id}" must be contributed by one plugin, but got it from "${a}" (${first.resolvedFrom}) and "${b}" (${second.resolvedFrom}). ` +
      'Fix: remove one of the two plugins from the config\'s "plugins".',
    { kind, id, plugins: [a, b], sources: [first.resolvedFrom, second.resolvedFrom] },
  );
}
