import { spawnSync } from 'node:child_process';

/**
 * Runs a file of conformance-kit `run` calls in a child process; returns, per suite `<kind> "<id>" conformance`,
 * the names of its failed checks.
 */
export function kitFailures(file: string, kind: string): Map<string, string[]> {
  const result = spawnSync(process.execPath, ['--conditions=ungreedy-development', '--import', 'tsx', '--test', '--test-reporter=tap', file], {
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  const out = new Map<string, string[]>();
  const suite = new RegExp(`^${kind} "(.*)" conformance$`);
  let pending: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const m = /^(\s*)(ok|not ok) \d+ - (.*?)(?: # .*)?$/.exec(line);
    if (!m) continue;
    const [, indent, status, name] = m;
    if (indent!.length > 0) {
      if (status === 'not ok') pending.push(name!);
      continue;
    }
    const id = suite.exec(name!)?.[1];
    if (id) out.set(id, pending);
    pending = [];
  }
  if (out.size === 0) throw new Error(`no ${kind} suites ran in ${file}:\n${result.stdout}\n${result.stderr}`);
  return out;
}
