// A third-party plugin exactly as README.md's "Writing a plugin" describes it: a default-exported
// definePlugin manifest whose identity comes from package.json, and one strategy with a JSON Schema.
import { definePlugin } from '@ungreedy/core';
import pkg from './package.json' with { type: 'json' };

/** Does nothing but count epochs; `every` exists only to show options, defaults and their schema. */
const noop = {
  meta: {
    docs: { description: 'A strategy that never intervenes (a template for third parties).' },
    defaultOptions: { every: 1, label: 'noop' },
    schema: {
      type: 'object',
      properties: {
        every: { type: 'integer', minimum: 1, description: 'Count every N-th epoch.' },
        label: { type: 'string', description: 'A name for the logs.' },
      },
      additionalProperties: false,
    },
  },
  create(options) {
    let epochs = 0;
    return {
      evaluationMode: 'regular',
      onEpochBegin(ctx) {
        if (ctx.epoch % options.every === 0) epochs++;
      },
      stateDict: () => ({ epochs }),
      loadStateDict: (state) => {
        epochs = state.epochs;
      },
    };
  },
};

export default definePlugin({
  meta: { name: pkg.name, version: pkg.version, namespace: 'noop', coreApi: '^2.0.0' },
  strategies: { noop },
});
