import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits beside this file. Built, that is `<name>.js`. Under tsx (tests,
 * development) it is `<name>.ts`, and Node 20 does not apply `--import tsx` to a worker's entry module, so the
 * worker starts from a one-line script that registers tsx's hooks (resolved from here, not from the working
 * folder) and then imports the TypeScript module.
 */
export function spawnWorker(name: string): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (!ts) return new Worker(url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, {
    eval: true,
  });
}
