// Test helpers for commands run as real child processes (signals, locks): run-matrix's cell entry, as compare runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { cellEntry } from '../run-matrix.js';

/** `ungreedy <args>` as a real child process (this build's entry, as compare's cells run it). */
export function ungreedy(args: string[], cwd: string, ipc = false): ChildProcess {
  const entry = cellEntry();
  return spawn(process.execPath, [...entry.execArgv, entry.file, ...args], {
    cwd,
    env: { ...process.env, UNGREEDY_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])],
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string; stdout: string }> {
  // With an IPC channel that the parent closed, Node never emits 'close' (the channel counts as open stdio).
  const event = child.channel === undefined ? 'close' : 'exit';
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  return new Promise((resolve) => child.on(event, (code) => resolve({ code, stderr, stdout })));
}

export async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
