// A plain-object plugin for the CLI tests: one component of each kind and two dataset commands.
// Loaded by path from configs the tests write; `create` is never reached by validation.
const none = { type: 'object', additionalProperties: false };
const fail = () => {
  throw new Error('toy components cannot be built');
};

export default {
  meta: { name: 'toy-plugin', version: '0.1.0', coreApi: '^2.0.0' },
  datasets: {
    'toy-digits': {
      meta: {
        docs: { description: 'A toy dataset.' },
        defaultOptions: { samples: 100 },
        schema: { type: 'object', properties: { samples: { type: 'integer', minimum: 1 } }, additionalProperties: false },
      },
      create: fail,
    },
  },
  encoders: { 'toy-cnn': { meta: { docs: { description: 'A toy encoder.' }, defaultOptions: {}, schema: none }, create: fail } },
  fusions: { 'toy-late': { meta: { docs: { description: 'A toy fusion.' }, defaultOptions: {}, schema: none }, create: fail } },
  strategies: {
    guided: {
      meta: {
        docs: { description: 'A toy strategy.' },
        defaultOptions: { alpha: 0.5 },
        schema: { type: 'object', properties: { alpha: { type: 'number', minimum: 0, maximum: 1 } }, additionalProperties: false },
      },
      create: fail,
    },
  },
  commands: {
    'prepare/toy': {
      meta: {
        docs: { description: 'Pretends to convert raw files.', usage: 'ungreedy prepare toy [--src dir]' },
        options: { src: { type: 'string', description: 'the raw files' } },
      },
      async run(ctx) {
        ctx.print(`prepared toy with ${JSON.stringify(ctx.args.options)}`);
        return 0;
      },
    },
    'make/toy': {
      meta: {
        docs: { description: 'Pretends to generate data.', usage: 'ungreedy datasets make toy [--n count]' },
        options: { n: { type: 'integer', min: 1, description: 'how many' } },
      },
      async run(ctx) {
        ctx.print(`made toy with ${JSON.stringify(ctx.args.options)}`);
        return 0;
      },
    },
  },
};
