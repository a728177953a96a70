import type { CliCommand } from '../cli-command.js';
import { COMPONENT_KINDS } from '../../../contract/plugin/manifest.js';
import type { PluginRegistry } from '../../../engine/plugin/registry.js';
import { loadConfigFile } from '../../../engine/config/load-config-file.js';
import { loadPlugins } from '../../../engine/plugin/load-plugins.js';
import { builtinPlugin } from '../../../engine/assembly/builtins.js';
import { isPlainObject } from '../../../engine/util/deep-merge.js';
import { parseCliArgs } from '../../../contract/cli/parse-cli-args.js';
import { loadCommandPlugins } from '../first-party-plugins.js';

export const pluginsCommand: CliCommand = {
  summary: 'List loaded plugins and each component with its options schema and defaults',
  usage: `Usage: ungreedy plugins [--config <file>] [--plugin <spec>]... [--json] [--brief]

Without --config: core's built-ins and every installed plugin (each package with the "ungreedy-plugin"
keyword that node_modules holds, from the working folder or core's). With --config: the plugins
that config loads. --plugin adds a package name or a path (relative to the working folder).

  --json    machine-readable: { plugins: [{ name, version, source, components: [...] }] }
  --brief   ids and descriptions only, no schemas`,
  async run(args, ctx) {
    const { values } = parseCliArgs('plugins', args, {
      config: { type: 'string' },
      plugin: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      brief: { type: 'boolean' },
    }, 0);
    let registry: PluginRegistry;
    if (values.config !== undefined) {
      const { dir, raw } = await loadConfigFile(values.config, ctx.cwd);
      const listed = isPlainObject(raw) && Array.isArray(raw['plugins']) ? raw['plugins'].filter((p): p is string => typeof p === 'string') : [];
      registry = await loadPlugins({ specifiers: listed, configDir: dir, log: ctx.log, builtins: builtinPlugin });
      registry = await loadPlugins({ specifiers: values.plugin ?? [], configDir: ctx.cwd, registry });
    } else {
      registry = await loadCommandPlugins(ctx.cwd, values.plugin ?? [], ctx.log);
    }
    const listing = registry.plugins.map((p) => ({
      name: p.manifest.meta.name,
      version: p.manifest.meta.version,
      coreApi: p.manifest.meta.coreApi,
      source: p.resolvedFrom,
      components: COMPONENT_KINDS.flatMap((kind) =>
        Object.entries(p.manifest[kind] ?? {}).map(([id, c]) => ({
          kind,
          id,
          description: c.meta.docs.description,
          ...('schema' in c.meta ? { defaultOptions: c.meta.defaultOptions, schema: c.meta.schema } : { usage: (c.meta.docs as { usage?: string }).usage }),
        })),
      ),
    }));
    if (values.json) {
      ctx.out(JSON.stringify({ plugins: listing }, null, 2));
      return 0;
    }
    for (const plugin of listing) {
      ctx.out(`${plugin.name}@${plugin.version}  (core API ${plugin.coreApi}; ${plugin.source})`);
      if (plugin.components.length === 0) ctx.out('  (no components)');
      for (const c of plugin.components) {
        ctx.out(`  ${c.kind.replace(/s$/, '').replace(/ie$/, 'y')} ${c.id}: ${c.description}`);
        if (values.brief) continue;
        if ('schema' in c) {
          ctx.out(`    defaults: ${JSON.stringify(c.defaultOptions)}`);
          ctx.out(`    schema:   ${JSON.stringify(c.schema, null, 2).split('\n').join('\n              ')}`);
        } else if (c.usage !== undefined) {
          ctx.out(`    usage: ${c.usage}`);
        }
      }
    }
    return 0;
  },
};
