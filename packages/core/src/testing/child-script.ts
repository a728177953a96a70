import { spawn, type ChildProcess } from 'node:child_process';

/** A script started by {@link startScript}: its process, everything it printed so far, and its exit code. */
export interface ScriptRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves with the exit code once the process and its pipes are closed. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` to the script's whole process group (its worker processes too), as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once `ok()` holds; rejects after `timeoutMs` with the output so far. */
  until(what: string, ok: () => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * Starts a TypeScript script (say a package's `scripts/ungreedy.mts`, the command line on the workspace's sources)
 * as a real child process under tsx, in its own process group, for tests that send it signals
 * (packages/core/docs/faults.md).
 *
 * @example
 * const run = startScript(cli, ['run', 'cfg.json'], { cwd: dir });
 * await run.until('a step', () => steps(runDir) > 0);
 * run.signal('SIGINT');
 * assert.equal(await run.exited, 130);
 */
export function startScript(script: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ScriptRun {
  const child = spawn(process.execPath, ['--conditions=ungreedy-development', '--import', import.meta.resolve('tsx'), script, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const output = (): string => text;
  return {
    child,
    output,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    signal: (signal) => process.kill(-child.pid!, signal),
    async until(what, ok, timeoutMs = 90_000) {
      const end = Date.now() + timeoutMs;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
