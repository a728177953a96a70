import { UngreedyError } from '../../contract/errors/errors.js';
import { didYouMean } from '../../engine/util/did-you-mean.js';
import { createLogger, logLevelFromEnv } from '../../engine/log/create-logger.js';
import { corePackageVersion } from '../../engine/run/run-manifest.js';
import type { CliIo } from './cli-command.js';
import { commands } from './commands/index.js';
import { codedFsError } from '../../engine/util/fs-error.js';
import { exitCodeFor, formatError } from './format-error.js';

/** The real terminal. */
export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  };
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    'ungreedy: measure and overcome greedy learning in multi-modal networks',
    '',
    'Usage: ungreedy <command> [options]     (ungreedy <command> --help for details)',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 run failed, 2 bad input, 130 interrupted.',
    'Logs: UNGREEDY_LOG_LEVEL=debug|info|warn|error|silent (default info).',
  ].join('\n');
}

/**
 * The `ungreedy` command line. Resolves with the exit code rather than exiting, so it can be tested and
 * embedded: 0 ok, 1 run failed, 2 bad input (INPUT_ERROR_CODES), 130 interrupted.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic !== undefined && commands[topic] !== undefined) io.out(commands[topic].usage);
    else io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(corePackageVersion());
    return 0;
  }
  const handle = createLogger({ level: logLevelFromEnv(io.env), console: io.isTTY ? 'auto' : 'json' });
  try {
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (command === undefined) {
      const suggestion = didYouMean(name, Object.keys(commands));
      throw new UngreedyError(
        'UNG_ERR_CLI_USAGE',
        `ungreedy needs a command (${Object.keys(commands).join(', ')}), but got "${name}".` +
          (suggestion === undefined ? ' See `ungreedy --help`.' : ` Did you mean "${suggestion}"?`),
        { command: name, ...(suggestion === undefined ? {} : { suggestion }) },
      );
    }
    const dashDash = args.indexOf('--');
    const flags = dashDash === -1 ? args : args.slice(0, dashDash);
    if (!command.ownHelp && (flags.includes('--help') || flags.includes('-h'))) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(args, { ...io, log: handle.log });
  } catch (raw) {
    const err = codedFsError(raw);
    for (const line of formatError(err, { stack: logLevelFromEnv(io.env) === 'debug' || logLevelFromEnv(io.env) === 'trace' })) io.err(line);
    return exitCodeFor(err);
  } finally {
    handle.close();
  }
}
